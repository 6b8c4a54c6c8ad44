// tsx tools/fonts/sample.ts [--fonts DIR] [--out FILE] [--zoom N]: a specimen of every font on a
// 240x320 screen, drawn by the desktop's text renderer (as Poco draws it), saved as a PNG.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { drawText, FONTS_DIR, loadFont } from '../../hosts/node/text-renderer';
import { FACES } from './faces';

export const SAMPLE_LINES = ['Blåbærsyltetøy 25,00 kr €', 'ÆØÅ ÄÖ É äöé – … ’ Š ž “”'];

const WHITE = 0xffff;
const BLACK = 0x0000;
const BLUE = 0x001f;
const YELLOW = 0xffe0;

export function drawSample(dir: string = FONTS_DIR): Framebuffer {
  const framebuffer = new Framebuffer(240, 320);
  framebuffer.fill(WHITE);
  let y = 2;
  for (const face of FACES) {
    const font = loadFont(face.name, dir);
    for (const line of SAMPLE_LINES) {
      drawText(framebuffer, font, line, 2, y, BLACK);
      y += font.font.common.lineHeight;
    }
  }
  // Light on dark, as a payment screen's banner.
  framebuffer.fill(BLUE, 0, y, 240, 320 - y);
  drawText(framebuffer, loadFont('OpenSans-Semibold-20', dir), 'Betal 25,00 kr – Vipps', 4, y + 2, WHITE);
  drawText(framebuffer, loadFont('OpenSans-Regular-16', dir), 'Skann QR-koden med appen…', 4, y + 30, YELLOW);
  return framebuffer;
}

function toPng(framebuffer: Framebuffer, zoom: number): Buffer {
  const rgba = framebuffer.toRgba();
  const png = new PNG({ width: framebuffer.width * zoom, height: framebuffer.height * zoom });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const from = (Math.floor(y / zoom) * framebuffer.width + Math.floor(x / zoom)) * 4;
      png.data.set(rgba.subarray(from, from + 4), (y * png.width + x) * 4);
    }
  }
  return PNG.sync.write(png);
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  const { values } = parseArgs({ options: { fonts: { type: 'string' }, out: { type: 'string' }, zoom: { type: 'string' } } });
  const out = resolve(values.out ?? 'fonts-sample.png');
  writeFileSync(out, toPng(drawSample(values.fonts ? resolve(values.fonts) : FONTS_DIR), Number(values.zoom ?? 1)));
  console.log(`sample in ${out}`);
}
