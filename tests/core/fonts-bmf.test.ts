// The BMFont reader on a small font made here byte by byte from the format's description
// (not by the project's writer), on Node and on XS.
import assert from 'node:assert/strict';
import { BmfError, BmfFont } from 'fonts/bmf';

interface TestChar { id: number; x?: number; y?: number; width?: number; height?: number; xoffset?: number; yoffset?: number; xadvance: number }

function bytesOf(...parts: number[][]): number[] {
  return ([] as number[]).concat(...parts);
}
const u8 = (value: number) => [value & 0xff];
const u16 = (value: number) => [value & 0xff, (value >> 8) & 0xff];
const u32 = (value: number) => [value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >>> 24) & 0xff];
const text = (value: string) => [...Array.from(value, (c) => c.charCodeAt(0)), 0];
const block = (type: number, body: number[]) => bytesOf(u8(type), u32(body.length), body);

function makeFont(chars: TestChar[], { kerning = [] as [number, number, number][], version = 3, pages = ['tiny.png'] } = {}): Uint8Array {
  const info = bytesOf(u16(12), u8(0b1011), u8(0), u16(100), u8(1), [0, 0, 0, 0], [1, 1], u8(0), text('Tiny'));
  const common = bytesOf(u16(15), u16(12), u16(64), u16(32), u16(pages.length), u8(0), [0, 3, 3, 3]);
  const charBytes = bytesOf(...chars.map((c) => bytesOf(u32(c.id), u16(c.x ?? 0), u16(c.y ?? 0), u16(c.width ?? 0), u16(c.height ?? 0), u16(c.xoffset ?? 0), u16(c.yoffset ?? 0), u16(c.xadvance), u8(0), u8(15))));
  const kernBytes = bytesOf(...kerning.map(([first, second, amount]) => bytesOf(u32(first), u32(second), u16(amount))));
  return Uint8Array.from(bytesOf([0x42, 0x4d, 0x46, version], block(1, info), block(2, common), block(3, bytesOf(...pages.map(text))), block(4, charBytes), kerning.length ? block(5, kernBytes) : []));
}

const CHARS: TestChar[] = [
  { id: 0x20, xadvance: 3 },
  { id: 0x2e, x: 1, y: 1, width: 2, height: 2, xoffset: 1, yoffset: 9, xadvance: 3 }, // .
  { id: 0x41, x: 4, y: 1, width: 7, height: 9, xoffset: 0, yoffset: 3, xadvance: 7 }, // A
  { id: 0x45, x: 12, y: 1, width: 5, height: 9, xoffset: 1, yoffset: 3, xadvance: 6 }, // E
  { id: 0x56, x: 18, y: 1, width: 7, height: 9, xoffset: -1, yoffset: 3, xadvance: 7 }, // V
  { id: 0x61, x: 26, y: 1, width: 5, height: 7, xoffset: 0, yoffset: 5, xadvance: 6 }, // a
  { id: 0xe5, x: 32, y: 1, width: 5, height: 10, xoffset: 0, yoffset: 2, xadvance: 6 }, // å
  { id: 0x2009, xadvance: 2 }, // thin space
  { id: 0x1f600, x: 38, y: 1, width: 10, height: 10, xoffset: 0, yoffset: 2, xadvance: 11 }, // outside the BMP
];

describe('fonts/bmf reader', () => {
  it('reads the info, common and pages blocks', () => {
    const font = new BmfFont(makeFont(CHARS));
    assert.equal(font.version, 3);
    assert.deepEqual(font.info, { size: 12, smooth: true, unicode: true, italic: false, bold: true, face: 'Tiny' });
    assert.deepEqual(font.common, { lineHeight: 15, base: 12, scaleW: 64, scaleH: 32, pages: 1 });
    assert.deepEqual(font.pages, ['tiny.png']);
    assert.equal(font.charCount, CHARS.length);
    assert.equal(font.kerningCount, 0);
  });

  it('takes an ArrayBuffer as well as a Uint8Array', () => {
    const bytes = makeFont(CHARS);
    assert.equal(new BmfFont(bytes.buffer).measure('Aa'), 13);
  });

  it('finds glyphs by code point, with every field', () => {
    const font = new BmfFont(makeFont(CHARS));
    assert.deepEqual(font.glyph(0x56), { id: 0x56, x: 18, y: 1, width: 7, height: 9, xoffset: -1, yoffset: 3, xadvance: 7, page: 0, channel: 15 });
    assert.equal(font.glyph(0x1f600)?.xadvance, 11);
    assert.equal(font.glyph(0x42), undefined);
    assert.equal(font.has(0xe5), true);
    assert.equal(font.has(0xe4), false);
    assert.equal(font.has(0x1f601), false);
    assert.equal(font.indexOf(0x20), 0);
    assert.equal(font.indexOf(0x1f600), CHARS.length - 1);
    assert.equal(font.codePointAt(2), 0x41);
    assert.throws(() => font.glyphAt(CHARS.length), RangeError);
  });

  it('finds glyphs in and after the gapless run at the start of the table', () => {
    const font = new BmfFont(makeFont([0x41, 0x42, 0x43, 0x45, 0x47].map((id, i) => ({ id, xadvance: i + 1 }))));
    assert.deepEqual([0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48].map((code) => font.indexOf(code)), [-1, 0, 1, 2, -1, 3, -1, 4, -1]);
    assert.equal(font.measure('ABCDEFG'), 1 + 2 + 3 + 4 + 5);
  });

  it('measures the sum of the advances, characters outside the BMP included', () => {
    const font = new BmfFont(makeFont(CHARS));
    assert.equal(font.measure(''), 0);
    assert.equal(font.measure('Aå a'), 7 + 6 + 3 + 6);
    assert.equal(font.measure('A\u{1F600}A'), 7 + 11 + 7);
    assert.equal(font.measure('a\u2009a'), 14);
  });

  it('measures a missing character as Poco draws it: its ASCII stand-in, or nothing', () => {
    const font = new BmfFont(makeFont(CHARS));
    assert.equal(font.measure('\u20ac'), 6, 'the euro sign is drawn as "E"');
    assert.equal(font.measure('\u2026'), 9, 'the ellipsis is drawn as "..."');
    assert.equal(font.measure('\u00c5'), 7, 'Å is drawn as "A"');
    assert.equal(font.measure('\u00c6'), 7 + 6, 'Æ is drawn as "AE"');
    assert.equal(font.measure('\u00c4'), 7, 'Ä falls back to "A"');
    assert.equal(font.measure('\u00d7'), 0, '× has no stand-in');
    assert.equal(font.measure('B'), 0, 'a missing ASCII letter is skipped');
    assert.equal(font.measure('\u2122'), 0, '"TM" is drawn with glyphs this font lacks');
    assert.equal(font.measure('\u200b'), 0, 'the zero-width space has an empty stand-in');
    assert.equal(font.measure('\ud800A'), 7, 'a lone surrogate is skipped');
  });

  it('stops at U+0000, where Poco reads the end of its C string', () => {
    const font = new BmfFont(makeFont(CHARS));
    assert.equal(font.measure('A\u0000AAA'), 7);
  });

  it('kerns only when asked, with the pair (previous, current), stand-ins included', () => {
    const bytes = makeFont(CHARS, { kerning: [[0x41, 0x56, -2], [0x56, 0x41, -1], [0x45, 0x2e, 1]] });
    const plain = new BmfFont(bytes);
    const kerned = new BmfFont(bytes, { kerning: true });
    assert.equal(plain.kerningCount, 3);
    assert.equal(plain.kerningBetween(0x41, 0x56), -2);
    assert.equal(plain.kerningBetween(0x56, 0x56), 0);
    assert.equal(plain.measure('AV'), 14);
    assert.equal(kerned.measure('AV'), 12);
    assert.equal(kerned.measure('VA'), 13);
    assert.equal(kerned.measure('AVA'), 11 + 7);
    assert.equal(kerned.measure('E\u2026'), 6 + 1 + 9, 'the stand-in\'s first dot kerns with the E');
  });

  it('tells where layout puts each glyph', () => {
    const font = new BmfFont(makeFont(CHARS, { kerning: [[0x41, 0x56, -2]] }), { kerning: true });
    const seen: number[] = [];
    const width = font.layout('AV\u00c6', (index, penX) => seen.push(font.codePointAt(index), penX));
    assert.deepEqual(seen, [0x41, 0, 0x56, 5, 0x41, 12, 0x45, 19]);
    assert.equal(width, 25);
  });

  it('reads version 4 (Moddable compressed) metrics, its glyph data after the blocks left alone', () => {
    const blocks = makeFont(CHARS, { version: 4, kerning: [[0x41, 0x56, -2]] });
    const withGlyphs = new Uint8Array(blocks.length + 6);
    withGlyphs.set(blocks);
    withGlyphs.set([0xbd, 0xff, 0xff, 0xff, 0x7f, 0x12], blocks.length);
    const font = new BmfFont(withGlyphs, { kerning: true });
    assert.equal(font.version, 4);
    assert.equal(font.kerningCount, 1);
    assert.equal(font.measure('AVa'), 7 + 7 - 2 + 6);
  });

  it('refuses what Poco could not draw from', () => {
    const good = makeFont(CHARS);
    const notBmf = good.slice();
    notBmf[0] = 0x41;
    assert.throws(() => new BmfFont(notBmf), BmfError);
    const version2 = good.slice();
    version2[3] = 2;
    assert.throws(() => new BmfFont(version2), /version 2/);
    assert.throws(() => new BmfFont(good.subarray(0, good.length - 3)), /past the end/);
    assert.throws(() => new BmfFont(makeFont([CHARS[2], CHARS[1]])), /out of code point order/);
    assert.throws(() => new BmfFont(good.subarray(0, 4)), /missing/);
  });
});
