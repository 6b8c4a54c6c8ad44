// Saves what the in-memory display shows as a PNG (pngjs: a small, pure-JS encoder).
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import type { Framebuffer } from './framebuffer';

export function encodePng(framebuffer: Framebuffer): Buffer {
  const png = new PNG({ width: framebuffer.width, height: framebuffer.height });
  png.data = Buffer.from(framebuffer.toRgba().buffer);
  return PNG.sync.write(png);
}

export function writePng(framebuffer: Framebuffer, path: string): void {
  writeFileSync(path, encodePng(framebuffer));
}
