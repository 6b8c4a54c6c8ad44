// Reads a font in the AngelCode BMFont binary format (version 3; Moddable's compressed version 4
// has the same metrics), the `.fnt` half of a Moddable font resource, and measures text exactly
// as Poco's getTextWidth does (modules/commodetto/commodettoPocoCore.c, Moddable SDK 8.2.3):
// - the width is the sum of each glyph's xadvance, truncated to 8 bits as the SDK does;
// - a character the font lacks counts as Poco's ASCII stand-in for it ("E" for "€"), or as nothing;
// - kerning only when asked for (`{ kerning: true }`): Poco kerns only in builds that define
//   `cfe.kern`, and then adds the (previous, current) pair's amount after each glyph;
// - measuring stops at U+0000, where Poco's C string ends.
// The glyph table stays in the font's bytes (on the device, a resource in flash): nothing is
// copied out per glyph, and measuring makes no objects.
import { findSubstitute, substituteCharCode } from 'fonts/ascii-substitutes';

export interface BmfInfo {
  /** Size the font was made at, in pixels (BMFont writes a negative size for "match char height"). */
  size: number;
  smooth: boolean;
  unicode: boolean;
  italic: boolean;
  bold: boolean;
  face: string;
}

export interface BmfCommon {
  /** Distance from one line's top to the next line's top, in pixels. */
  lineHeight: number;
  /** Distance from the line's top to the baseline. */
  base: number;
  /** Atlas size in pixels. */
  scaleW: number;
  scaleH: number;
  pages: number;
}

export interface BmfGlyph {
  id: number;
  /** Box in the atlas (in version 4, x and y together are the compressed glyph's offset). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Where the box goes relative to the pen: right of it, and down from the line's top. */
  xoffset: number;
  yoffset: number;
  xadvance: number;
  page: number;
  channel: number;
}

const CHAR_SIZE = 20;
const KERNING_SIZE = 10;

export class BmfError extends Error {
  override name = 'BmfError';
}

export class BmfFont {
  readonly version: number;
  readonly info: BmfInfo;
  readonly common: BmfCommon;
  /** Atlas file names, one per page. */
  readonly pages: string[];
  readonly charCount: number;
  readonly kerningCount: number;
  private readonly bytes: Uint8Array;
  private readonly chars: number;
  private readonly kernings: number;
  private readonly kerning: boolean;
  /** The table's first code point and how many follow it without a gap (ASCII, usually): found by subtraction. */
  private readonly runStart: number;
  private readonly runLength: number;

  constructor(data: ArrayBufferLike | Uint8Array, { kerning = false }: { kerning?: boolean } = {}) {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    this.bytes = bytes;
    this.kerning = kerning;
    if (bytes.length < 4 || bytes[0] !== 0x42 || bytes[1] !== 0x4d || bytes[2] !== 0x46) throw new BmfError('not a binary BMFont file');
    this.version = bytes[3];
    if (this.version !== 3 && this.version !== 4) throw new BmfError(`BMFont version ${this.version}, want 3 or 4`);

    // Blocks 1 to 4 in order, then perhaps kerning (5), as Poco reads them; Moddable's version 4
    // puts the compressed glyphs after these, which is why nothing past them is read as a block.
    let position = 4;
    const next = (type: number, required: boolean): [number, number] => {
      if (position + 5 > bytes.length || bytes[position] !== type) {
        if (required) throw new BmfError(`missing block ${type} at byte ${position}`);
        return [-1, 0];
      }
      const size = this.u32(position + 1);
      const start = position + 5;
      if (start + size > bytes.length) throw new BmfError(`block ${type} runs past the end of the file`);
      position = start + size;
      return [start, size];
    };
    const info = this.readInfo(...next(1, true));
    const common = this.readCommon(...next(2, true));
    const pages = this.readPages(...next(3, true), common.pages);
    const [chars, charsSize] = next(4, true);
    if (charsSize % CHAR_SIZE !== 0) throw new BmfError(`chars block of ${charsSize} bytes is not a whole number of glyphs`);
    const charCount = charsSize / CHAR_SIZE;
    const [kernings, kerningsSize] = next(5, false);
    if (kerningsSize % KERNING_SIZE !== 0) throw new BmfError(`kerning block of ${kerningsSize} bytes is not a whole number of pairs`);
    const kerningCount = kerningsSize / KERNING_SIZE;
    this.info = info;
    this.common = common;
    this.pages = pages;
    this.chars = chars;
    this.charCount = charCount;
    this.kernings = kernings;
    this.kerningCount = kerningCount;
    for (let i = 1; i < charCount; i++) {
      // Poco finds glyphs by binary search: a font out of order draws wrong there.
      if (this.codePointAt(i) <= this.codePointAt(i - 1)) throw new BmfError(`glyph ${i} is out of code point order`);
    }
    this.runStart = charCount > 0 ? this.codePointAt(0) : 0;
    let run = charCount > 0 ? 1 : 0;
    while (run < charCount && this.codePointAt(run) === this.runStart + run) run++;
    this.runLength = run;
  }

  /** Index of the glyph for `codePoint` in the chars table, or -1. */
  indexOf(codePoint: number): number {
    const offset = codePoint - this.runStart;
    if (offset >= 0 && offset < this.runLength) return offset;
    let low = this.runLength;
    let high = this.charCount - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const code = this.codePointAt(middle);
      if (code < codePoint) low = middle + 1;
      else if (code > codePoint) high = middle - 1;
      else return middle;
    }
    return -1;
  }

  has(codePoint: number): boolean {
    return this.indexOf(codePoint) >= 0;
  }

  /** Code point of the glyph at `index` (0 <= index < charCount). */
  codePointAt(index: number): number {
    return this.u32(this.chars + index * CHAR_SIZE);
  }

  /** xadvance of the glyph at `index`, without making an object. */
  advanceAt(index: number): number {
    return this.s16(this.chars + index * CHAR_SIZE + 16);
  }

  /** The glyph for `codePoint`, or undefined when the font lacks it. */
  glyph(codePoint: number): BmfGlyph | undefined {
    const index = this.indexOf(codePoint);
    return index < 0 ? undefined : this.glyphAt(index);
  }

  glyphAt(index: number): BmfGlyph {
    if (index < 0 || index >= this.charCount) throw new RangeError(`no glyph ${index} in a font of ${this.charCount}`);
    const at = this.chars + index * CHAR_SIZE;
    return {
      id: this.u32(at),
      x: this.u16(at + 4),
      y: this.u16(at + 6),
      width: this.u16(at + 8),
      height: this.u16(at + 10),
      xoffset: this.s16(at + 12),
      yoffset: this.s16(at + 14),
      xadvance: this.s16(at + 16),
      page: this.bytes[at + 18],
      channel: this.bytes[at + 19],
    };
  }

  /** Kerning amount between `first` and the `second` that follows it; 0 when the font has none. */
  kerningBetween(first: number, second: number): number {
    for (let i = 0, at = this.kernings; i < this.kerningCount; i++, at += KERNING_SIZE) {
      if (this.u32(at) === first && this.u32(at + 4) === second) return this.s16(at + 8);
    }
    return 0;
  }

  /** Advance width of `text` in pixels, as Poco's getTextWidth reports it (see the top of this file). */
  measure(text: string): number {
    return this.layout(text);
  }

  /**
   * Walks `text` as Poco's drawText does, calling `visit` with each glyph drawn (its index in the
   * chars table) and the pen's distance from the start, kerning included; returns the total width.
   */
  layout(text: string, visit?: (index: number, penX: number) => void): number {
    let width = 0;
    let previous = 0;
    for (let i = 0; i < text.length; i++) {
      let codePoint = text.charCodeAt(i);
      if (codePoint >= 0xd800 && codePoint < 0xdc00 && i + 1 < text.length) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low < 0xe000) {
          codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (codePoint === 0) break;
      const index = this.indexOf(codePoint);
      if (index >= 0) {
        if (this.kerning && previous !== 0) width += this.kerningBetween(previous, codePoint);
        if (visit) visit(index, width);
        width += this.advanceAt(index) & 0xff;
        previous = codePoint;
        continue;
      }
      const start = findSubstitute(codePoint);
      if (start < 0) continue;
      for (let k = 0; ; k++) {
        const stand = substituteCharCode(start, k);
        if (stand === 0) break;
        const standIndex = this.indexOf(stand);
        if (standIndex < 0) continue;
        if (this.kerning && previous !== 0) width += this.kerningBetween(previous, stand);
        if (visit) visit(standIndex, width);
        width += this.advanceAt(standIndex) & 0xff;
        previous = stand;
      }
    }
    return width;
  }

  private readInfo(start: number, size: number): BmfInfo {
    if (size < 15) throw new BmfError('info block too short');
    const bits = this.bytes[start + 2];
    let end = start + 14;
    let face = '';
    while (end < start + size && this.bytes[end] !== 0) face += String.fromCharCode(this.bytes[end++]);
    return { size: this.s16(start), smooth: (bits & 1) !== 0, unicode: (bits & 2) !== 0, italic: (bits & 4) !== 0, bold: (bits & 8) !== 0, face };
  }

  private readCommon(start: number, size: number): BmfCommon {
    if (size < 15) throw new BmfError('common block too short');
    return {
      lineHeight: this.u16(start),
      base: this.u16(start + 2),
      scaleW: this.u16(start + 4),
      scaleH: this.u16(start + 6),
      pages: this.u16(start + 8),
    };
  }

  private readPages(start: number, size: number, count: number): string[] {
    const pages: string[] = [];
    let name = '';
    for (let at = start; at < start + size; at++) {
      const byte = this.bytes[at];
      if (byte === 0) {
        pages.push(name);
        name = '';
      } else name += String.fromCharCode(byte);
    }
    if (pages.length !== count) throw new BmfError(`pages block names ${pages.length} pages, common says ${count}`);
    return pages;
  }

  private u16(at: number): number {
    return this.bytes[at] | (this.bytes[at + 1] << 8);
  }

  private s16(at: number): number {
    return (this.u16(at) << 16) >> 16;
  }

  private u32(at: number): number {
    return (this.bytes[at] | (this.bytes[at + 1] << 8) | (this.bytes[at + 2] << 16) | (this.bytes[at + 3] << 24)) >>> 0;
  }
}

/** How far any glyph's ink reaches left of its pen position and right of its advance: both hosts clip text to its box widened by this. */
export function inkOverhang(font: BmfFont): { left: number; right: number } {
  let left = 0;
  let right = 0;
  for (let i = 0; i < font.charCount; i++) {
    const glyph = font.glyphAt(i);
    if (glyph.width === 0) continue;
    left = Math.max(left, -glyph.xoffset);
    right = Math.max(right, glyph.xoffset + glyph.width - (glyph.xadvance & 0xff));
  }
  return { left, right };
}
