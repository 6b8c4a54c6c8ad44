// Writes the AngelCode BMFont binary format, version 3, as Moddable's tools and Poco read it:
// one page, no kerning, chars sorted by code point (Poco finds glyphs by binary search), and the
// first glyph's channel byte free of the 0x40 "continuous" flag Poco looks for there.
import type { BmfGlyph } from 'fonts/bmf';

export interface BmfDescription {
  face: string;
  size: number;
  bold: boolean;
  lineHeight: number;
  base: number;
  scaleW: number;
  scaleH: number;
  page: string;
  glyphs: BmfGlyph[];
}

class Writer {
  private readonly bytes: number[] = [];
  u8(value: number): void {
    this.bytes.push(value & 0xff);
  }
  u16(value: number): void {
    this.u8(value);
    this.u8(value >> 8);
  }
  u32(value: number): void {
    this.u16(value);
    this.u16(value >>> 16);
  }
  text(value: string): void {
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code === 0 || code > 0x7e) throw new RangeError(`"${value}": names must be printable ASCII`);
      this.u8(code);
    }
    this.u8(0);
  }
  block(type: number, body: Writer): void {
    this.u8(type);
    this.u32(body.bytes.length);
    this.bytes.push(...body.bytes);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const SMOOTH = 1;
const UNICODE = 2;
const BOLD = 8;
const ALL_CHANNELS = 15;

export function writeBmf(font: BmfDescription): Uint8Array {
  const file = new Writer();
  for (const byte of [0x42, 0x4d, 0x46, 3]) file.u8(byte);

  const info = new Writer();
  info.u16(font.size);
  info.u8(SMOOTH | UNICODE | (font.bold ? BOLD : 0));
  info.u8(0); // charSet: unused with unicode
  info.u16(100); // stretchH
  info.u8(1); // supersampling level ("aa")
  for (let i = 0; i < 4; i++) info.u8(0); // padding up, right, down, left
  info.u8(1); // spacing horizontal
  info.u8(1); // spacing vertical
  info.u8(0); // outline
  info.text(font.face);
  file.block(1, info);

  const common = new Writer();
  common.u16(font.lineHeight);
  common.u16(font.base);
  common.u16(font.scaleW);
  common.u16(font.scaleH);
  common.u16(1); // pages
  common.u8(0); // not packed
  common.u8(0); // alpha channel: the glyph
  common.u8(3); // red, green, blue: zero (glyphs are black, their coverage is the alpha)
  common.u8(3);
  common.u8(3);
  file.block(2, common);

  const pages = new Writer();
  pages.text(font.page);
  file.block(3, pages);

  const chars = new Writer();
  let previous = -1;
  for (const glyph of font.glyphs) {
    if (glyph.id <= previous) throw new RangeError(`glyph U+${glyph.id.toString(16)} is out of order`);
    previous = glyph.id;
    chars.u32(glyph.id);
    chars.u16(glyph.x);
    chars.u16(glyph.y);
    chars.u16(glyph.width);
    chars.u16(glyph.height);
    chars.u16(glyph.xoffset);
    chars.u16(glyph.yoffset);
    chars.u16(glyph.xadvance);
    chars.u8(0); // page
    chars.u8(ALL_CHANNELS);
  }
  file.block(4, chars);
  // No kerning block: Poco kerns only in builds that ask for it, and then looks pairs up one by one.
  return file.done();
}
