// Makes one Moddable font resource from a TrueType face: the BMFont binary .fnt and its atlas as a
// PNG whose alpha is the glyph coverage (the gray is black), the pair mcconfig takes as an
// `*-alpha` (or `*-mask`) font resource.
//
// - Coverage is kept at the 16 levels Poco draws: png2bmp turns alpha a into the 4-bit gray
//   (255 - a) >> 4, so the PNG holds only the alphas 17 * k (k = 0..15), which survive that exactly.
// - The pen sits on whole pixels (Poco adds whole xadvances), so each glyph is rasterized once with
//   its origin on a pixel corner; xadvance is the advance width rounded to whole pixels.
// - base = ascender, lineHeight = ascender + descender (hhea; Open Sans's line gap is 0), rounded.
import { readFileSync } from 'node:fs';
import opentype, { type Font } from 'opentype.js';
import { PNG } from 'pngjs';
import type { BmfGlyph } from 'fonts/bmf';
import { atlasWidth, pack } from './atlas';
import { writeBmf } from './bmf-writer';
import { CHARACTERS, type Face, NARROW_NO_BREAK_SPACE, THIN_SPACE } from './faces';
import { rasterize } from './rasterize';

export interface FontFiles {
  name: string;
  fnt: Uint8Array;
  png: Buffer;
  /** Ink level 0..15 per atlas pixel, what the PNG's alpha says. */
  levels: Uint8Array;
  width: number;
  height: number;
}

interface Bitmap {
  code: number;
  width: number;
  height: number;
  xoffset: number;
  yoffset: number;
  xadvance: number;
  levels: Uint8Array;
}

const fontCache = new Map<string, Font>();

function loadFace(path: string): Font {
  let font = fontCache.get(path);
  if (!font) {
    const bytes = readFileSync(path);
    font = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    fontCache.set(path, font);
  }
  return font;
}

function glyphFor(font: Font, code: number) {
  const glyph = font.charToGlyph(String.fromCodePoint(code));
  return glyph.index === 0 ? undefined : glyph;
}

/** Quantizes coverage to Poco's 16 levels and trims blank rows and columns. */
function toBitmap(code: number, font: Font, size: number, base: number): Bitmap {
  const scale = size / font.unitsPerEm;
  const source = code === NARROW_NO_BREAK_SPACE && !glyphFor(font, code) ? THIN_SPACE : code;
  const glyph = glyphFor(font, source);
  if (!glyph) throw new Error(`the font has no glyph for U+${code.toString(16).toUpperCase().padStart(4, '0')}`);
  const xadvance = Math.round((glyph.advanceWidth ?? 0) * scale);
  const coverage = rasterize(glyph.getPath(0, 0, size).commands);
  const { width, height } = coverage;
  const levels = new Uint8Array(width * height);
  for (let i = 0; i < levels.length; i++) levels[i] = Math.round(coverage.values[i] * 15);

  let top = 0, bottom = height, left = 0, right = width;
  const rowBlank = (row: number) => levels.subarray(row * width, (row + 1) * width).every((level) => level === 0);
  const columnBlank = (column: number) => {
    for (let row = top; row < bottom; row++) if (levels[row * width + column] !== 0) return false;
    return true;
  };
  while (top < bottom && rowBlank(top)) top++;
  while (bottom > top && rowBlank(bottom - 1)) bottom--;
  while (left < right && columnBlank(left)) left++;
  while (right > left && columnBlank(right - 1)) right--;
  if (top === bottom || left === right) return { code, width: 0, height: 0, xoffset: 0, yoffset: 0, xadvance, levels: new Uint8Array(0) };

  const trimmed = new Uint8Array((right - left) * (bottom - top));
  for (let row = top; row < bottom; row++) {
    trimmed.set(levels.subarray(row * width + left, row * width + right), (row - top) * (right - left));
  }
  return {
    code,
    width: right - left,
    height: bottom - top,
    xoffset: coverage.left + left,
    yoffset: base + coverage.top + top,
    xadvance,
    levels: trimmed,
  };
}

export function generateFont(face: Face, characters: number[] = CHARACTERS): FontFiles {
  const font = loadFace(face.source);
  const scale = face.size / font.unitsPerEm;
  const base = Math.round(font.ascender * scale);
  const lineHeight = base + Math.round((-font.descender + font.tables.hhea.lineGap) * scale);
  const bitmaps = characters.map((code) => toBitmap(code, font, face.size, base));

  const width = atlasWidth(bitmaps);
  const packing = pack(bitmaps, characters, width);
  const levels = new Uint8Array(packing.width * packing.height);
  bitmaps.forEach((bitmap, i) => {
    const { x, y } = packing.placements[i];
    for (let row = 0; row < bitmap.height; row++) {
      levels.set(bitmap.levels.subarray(row * bitmap.width, (row + 1) * bitmap.width), (y + row) * packing.width + x);
    }
  });

  const png = new PNG({ width: packing.width, height: packing.height, colorType: 4, inputColorType: 4, bitDepth: 8 });
  const data = Buffer.alloc(levels.length * 2);
  for (let i = 0; i < levels.length; i++) data[2 * i + 1] = levels[i] * 17; // gray 0 (black), alpha = coverage
  png.data = data;

  const glyphs: BmfGlyph[] = bitmaps.map((bitmap, i) => ({
    id: bitmap.code,
    x: packing.placements[i].x,
    y: packing.placements[i].y,
    width: bitmap.width,
    height: bitmap.height,
    xoffset: bitmap.xoffset,
    yoffset: bitmap.yoffset,
    xadvance: bitmap.xadvance,
    page: 0,
    channel: 15,
  }));
  const fnt = writeBmf({
    face: 'Open Sans',
    size: face.size,
    bold: face.bold,
    lineHeight,
    base,
    scaleW: packing.width,
    scaleH: packing.height,
    page: `${face.name}.png`,
    glyphs,
  });
  return {
    name: face.name,
    fnt,
    png: PNG.sync.write(png, { colorType: 4, inputColorType: 4, bitDepth: 8, deflateLevel: 9 }),
    levels,
    width: packing.width,
    height: packing.height,
  };
}
