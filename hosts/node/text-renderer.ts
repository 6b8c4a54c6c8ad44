// Draws text into the desktop's RGB565 framebuffer the way Poco's drawText draws an `-alpha` font
// on the device, so a desktop screenshot shows what the panel shows:
// - the same glyphs, pen positions and stand-ins as `BmfFont.layout` (Poco's walk of the string);
// - each glyph's box at (x + xoffset, y + yoffset), y being the top of the line;
// - coverage as the device has it: png2bmp makes the PNG's alpha a into the 4-bit gray
//   (255 - a) >> 4, Poco maps that gray to a 5-bit blend (its gBlenders table at full opacity)
//   and mixes the colour into each RGB565 pixel with the integer arithmetic of
//   doDrawGray16BitmapPart (modules/commodetto/commodettoPocoBlit.c, Moddable SDK 8.2.3);
// - clipped to a box as Poco clips to its update area.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { BmfFont } from 'fonts/bmf';
import { PixelFormat } from 'qr/pixel-sink';
import type { Framebuffer } from './framebuffer';

export const FONTS_DIR = resolve(import.meta.dirname, '../../assets/fonts');

export interface LoadedFont {
  name: string;
  font: BmfFont;
  /** The 4-bit gray Poco reads per atlas pixel: 0 is full ink, 15 none. */
  gray: Uint8Array;
  atlasWidth: number;
  atlasHeight: number;
}

export interface ClipBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Poco's blend weight (0..31) for each 4-bit gray at full opacity: gBlenders' last row. */
const BLEND = [31, 29, 27, 25, 23, 21, 19, 17, 14, 12, 10, 8, 6, 4, 2, 0];

/** A font from its .fnt bytes and atlas PNG bytes. */
export function fontFromFiles(name: string, fnt: Uint8Array, png: Uint8Array): LoadedFont {
  const font = new BmfFont(fnt);
  const image = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  if (image.width < font.common.scaleW || image.height < font.common.scaleH) {
    throw new Error(`${name}: atlas is ${image.width}x${image.height}, the font says ${font.common.scaleW}x${font.common.scaleH}`);
  }
  const gray = new Uint8Array(image.width * image.height);
  for (let i = 0; i < gray.length; i++) gray[i] = (255 - image.data[4 * i + 3]) >> 4;
  return { name, font, gray, atlasWidth: image.width, atlasHeight: image.height };
}

/** Loads `name`.fnt and its atlas (the page the .fnt names) from `dir`. */
export function loadFont(name: string, dir: string = FONTS_DIR): LoadedFont {
  const fnt = new Uint8Array(readFileSync(join(dir, `${name}.fnt`)));
  const font = new BmfFont(fnt);
  return fontFromFiles(name, fnt, readFileSync(join(dir, font.pages[0])));
}

/** Poco's 5-bit mix of one RGB565 channel: v / 31, rounded, by shifts. */
function mixChannel(source: number, destination: number, blend: number, max: number): number {
  const v = blend * source + (31 - blend) * destination + 16;
  return ((v + ((v >> 5) & max)) >> 5) & max;
}

export function blendRgb565(color: number, destination: number, blend: number): number {
  if (blend >= 31) return color;
  if (blend <= 0) return destination;
  const red = mixChannel(color >> 11, destination >> 11, blend, 0x1f);
  const green = mixChannel((color >> 5) & 0x3f, (destination >> 5) & 0x3f, blend, 0x3f);
  const blue = mixChannel(color & 0x1f, destination & 0x1f, blend, 0x1f);
  return (red << 11) | (green << 5) | blue;
}

/**
 * Draws `text` with its line's top-left at (x, y) in RGB565 `color` over what is there, inside
 * `clip` (default: the whole framebuffer). Returns the pen's advance, as BmfFont.measure gives it.
 */
export function drawText(framebuffer: Framebuffer, loaded: LoadedFont, text: string, x: number, y: number, color: number, clip?: ClipBox): number {
  const { font, gray, atlasWidth } = loaded;
  const clipLeft = Math.max(0, clip ? clip.x : 0);
  const clipTop = Math.max(0, clip ? clip.y : 0);
  const clipRight = Math.min(framebuffer.width, clip ? clip.x + clip.width : framebuffer.width);
  const clipBottom = Math.min(framebuffer.height, clip ? clip.y + clip.height : framebuffer.height);
  const bytes = framebuffer.bytes;
  const littleEndian = framebuffer.pixelFormat === PixelFormat.RGB565LE;

  return font.layout(text, (index, penX) => {
    const glyph = font.glyphAt(index);
    const left = x + penX + glyph.xoffset;
    const top = y + glyph.yoffset;
    for (let row = Math.max(0, clipTop - top); row < glyph.height && top + row < clipBottom; row++) {
      for (let column = Math.max(0, clipLeft - left); column < glyph.width && left + column < clipRight; column++) {
        const blend = BLEND[gray[(glyph.y + row) * atlasWidth + glyph.x + column]];
        if (blend === 0) continue;
        const at = ((top + row) * framebuffer.width + left + column) * 2;
        const before = littleEndian ? bytes[at] | (bytes[at + 1] << 8) : (bytes[at] << 8) | bytes[at + 1];
        const after = blendRgb565(color, before, blend);
        bytes[at] = littleEndian ? after & 0xff : after >> 8;
        bytes[at + 1] = littleEndian ? after >> 8 : after & 0xff;
      }
    }
  });
}
