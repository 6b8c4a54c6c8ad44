// The desktop's text renderer over the committed fonts: ink where the text goes and nowhere else,
// clipping, a known glyph's shape, both byte orders, and Poco's blend arithmetic.
import assert from 'node:assert/strict';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { blendRgb565, drawText, loadFont, type ClipBox } from '../../hosts/node/text-renderer';
import { PixelFormat } from 'qr/pixel-sink';
import { FACES } from '../../tools/fonts/faces';

const WHITE = 0xffff;
const BLACK = 0x0000;
const SAMPLE = 'Blåbærsyltetøy 25,00 kr €';

/** Luminance-ish darkness 0..1 of an RGB565 pixel. */
function darkness(pixel: number): number {
  return 1 - (((pixel >> 11) & 0x1f) / 31 + ((pixel >> 5) & 0x3f) / 63 + (pixel & 0x1f) / 31) / 3;
}

function inkBox(framebuffer: Framebuffer, background = WHITE) {
  let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity, count = 0, black = 0;
  for (let y = 0; y < framebuffer.height; y++) {
    for (let x = 0; x < framebuffer.width; x++) {
      const pixel = framebuffer.pixel(x, y);
      if (pixel === background) continue;
      count++;
      if (pixel === BLACK) black++;
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return { left, top, right, bottom, count, black };
}

describe('desktop text renderer (hosts/node/text-renderer)', () => {
  for (const face of FACES) {
    it(`${face.name}: draws "${SAMPLE}" inside its line box, with solid ink`, () => {
      const font = loadFont(face.name);
      const framebuffer = new Framebuffer(400, 60);
      framebuffer.fill(WHITE);
      const x = 10, y = 8;
      const width = drawText(framebuffer, font, SAMPLE, x, y, BLACK);
      assert.equal(width, font.font.measure(SAMPLE));
      const box = inkBox(framebuffer);
      assert.ok(box.left >= x && box.left <= x + 2, `ink starts at ${box.left}`);
      assert.ok(box.right <= x + width && box.right >= x + width - 4, `ink ends at ${box.right}, the pen at ${x + width}`);
      assert.ok(box.top >= y && box.bottom < y + font.font.common.lineHeight, `ink from ${box.top} to ${box.bottom}`);
      assert.ok(box.black > 20 * face.size / 16, `only ${box.black} fully dark pixels`);
    });
  }

  it('draws nothing outside the clip box, and the same as unclipped inside it', () => {
    const font = loadFont('OpenSans-Regular-20');
    const clip: ClipBox = { x: 30, y: 12, width: 60, height: 9 };
    const clipped = new Framebuffer(240, 40);
    const whole = new Framebuffer(240, 40);
    clipped.fill(WHITE);
    whole.fill(WHITE);
    drawText(clipped, font, SAMPLE, 5, 2, BLACK, clip);
    drawText(whole, font, SAMPLE, 5, 2, BLACK);
    let inside = 0;
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 240; x++) {
        const within = x >= clip.x && x < clip.x + clip.width && y >= clip.y && y < clip.y + clip.height;
        if (!within) assert.equal(clipped.pixel(x, y), WHITE, `pixel ${x},${y} outside the clip was drawn`);
        else {
          assert.equal(clipped.pixel(x, y), whole.pixel(x, y), `pixel ${x},${y}`);
          if (clipped.pixel(x, y) !== WHITE) inside++;
        }
      }
    }
    assert.ok(inside > 50, `only ${inside} inked pixels inside the clip`);
  });

  it('clips to the framebuffer at every edge without throwing', () => {
    const font = loadFont('OpenSans-Semibold-28');
    const framebuffer = new Framebuffer(50, 20);
    framebuffer.fill(WHITE);
    drawText(framebuffer, font, 'ÅgØ€', -7, -9, BLACK);
    drawText(framebuffer, font, 'ÅgØ€', 30, 5, BLACK);
    assert.ok(inkBox(framebuffer).count > 0);
  });

  it('draws "l" as a dark vertical bar from the ascender to the baseline', () => {
    for (const face of FACES) {
      const font = loadFont(face.name);
      const framebuffer = new Framebuffer(20, 40);
      framebuffer.fill(WHITE);
      drawText(framebuffer, font, 'l', 5, 0, BLACK);
      const glyph = font.font.glyph(0x6c)!;
      const { base } = font.font.common;
      const columns = new Set<number>();
      for (let y = 0; y < 40; y++) {
        let rowInk = 0;
        for (let x = 0; x < 20; x++) {
          const ink = darkness(framebuffer.pixel(x, y));
          if (ink > 0) columns.add(x);
          rowInk += ink;
        }
        const inStem = y >= glyph.yoffset + 1 && y < base - 1;
        // Every row of the stem carries about the same ink: the stem's width, straight down.
        if (inStem) assert.ok(rowInk > face.size / 16 && rowInk < face.size / 16 + 2.5, `${face.name} row ${y} ink ${rowInk.toFixed(2)}`);
        if (y < glyph.yoffset || y >= base) assert.equal(rowInk, 0, `${face.name} ink at row ${y}, outside the l`);
      }
      assert.ok(columns.size <= Math.ceil(face.size / 8) + 1, `${face.name}: the l spreads over ${columns.size} columns`);
      assert.ok(base - glyph.yoffset >= face.size * 0.7, `${face.name}: the l is ${base - glyph.yoffset} px tall`);
    }
  });

  it('writes the same colours in big-endian as in little-endian', () => {
    const font = loadFont('OpenSans-Regular-16');
    const little = new Framebuffer(200, 24, PixelFormat.RGB565LE);
    const big = new Framebuffer(200, 24, PixelFormat.RGB565BE);
    for (const framebuffer of [little, big]) {
      framebuffer.fill(0x001f);
      drawText(framebuffer, font, SAMPLE, 0, 0, 0xffe0);
    }
    for (let y = 0; y < 24; y++) for (let x = 0; x < 200; x++) assert.equal(big.pixel(x, y), little.pixel(x, y));
    assert.ok(inkBox(little, 0x001f).count > 100);
  });

  it("mixes colours with Poco's 5-bit blend", () => {
    assert.equal(blendRgb565(0x1234, 0xffff, 31), 0x1234);
    assert.equal(blendRgb565(0x1234, 0xabcd, 0), 0xabcd);
    // Black over white at blend 14 (a 4-bit gray of 8): each channel v = 17 * max + 16, then (v + (v >> 5)) >> 5.
    assert.equal(blendRgb565(BLACK, WHITE, 14), (17 << 11) | (35 << 5) | 17);
    // Yellow over blue at blend 17: red and green rise, blue falls.
    assert.equal(blendRgb565(0xffe0, 0x001f, 17), (17 << 11) | (35 << 5) | 14);
  });
});
