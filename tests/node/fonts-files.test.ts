// The committed fonts in assets/fonts: every character the screens need in every size, glyph
// boxes that hold all the atlas's ink and stay inside it, the PNG form mcconfig's png2bmp reads,
// the licence beside them, and files that the generator makes again byte for byte.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { BmfFont } from 'fonts/bmf';
import { FONTS_DIR } from '../../hosts/node/text-renderer';
import { FACES, LICENCE_NAME, LICENCE_SOURCE } from '../../tools/fonts/faces';
import { generateFont } from '../../tools/fonts/generate';
import { writeFonts } from '../../tools/fonts/main';

// Written out here rather than taken from the generator's list, so that a character dropped there fails.
const REQUIRED =
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~' +
  'æøåäöéÆØÅÄÖÉüÜšžŠŽ€–—…’‘“”„•\u00a0\u2009\u202f';
const LATIN1_PRINTABLE = Array.from({ length: 0x100 - 0xa0 }, (_, i) => String.fromCharCode(0xa0 + i)).join('');
const SIZES = [16, 20, 28];

function committed(name: string) {
  const fnt = new Uint8Array(readFileSync(join(FONTS_DIR, `${name}.fnt`)));
  const pngBytes = readFileSync(join(FONTS_DIR, `${name}.png`));
  return { fnt, font: new BmfFont(fnt), pngBytes, png: PNG.sync.read(pngBytes) };
}

describe('committed fonts (assets/fonts)', () => {
  it('come in a regular and a semibold weight at about 16, 20 and 28 pixels', () => {
    assert.deepEqual(FACES.map((face) => face.name), ['OpenSans-Regular-16', 'OpenSans-Regular-20', 'OpenSans-Semibold-20', 'OpenSans-Semibold-28']);
    for (const size of SIZES) assert.ok(FACES.some((face) => face.size === size), `no ${size} px font`);
  });

  for (const face of FACES) {
    describe(face.name, () => {
      it('has every character the screens need, and all of printable Latin-1', () => {
        const { font } = committed(face.name);
        const missing = Array.from(REQUIRED + LATIN1_PRINTABLE).filter((character) => !font.has(character.codePointAt(0)!));
        assert.deepEqual(missing, []);
        assert.equal(font.info.size, face.size);
        assert.equal(font.info.bold, face.bold);
      });

      it('draws letters with ink and spaces without, narrow spaces narrower than the space', () => {
        const { font } = committed(face.name);
        for (const character of 'AaØøÅåÆæ€') {
          const glyph = font.glyph(character.codePointAt(0)!)!;
          assert.ok(glyph.width > 0 && glyph.height > 0 && glyph.xadvance > 0, `${character} has no ink`);
        }
        const space = font.glyph(0x20)!;
        assert.equal(space.width * space.height, 0);
        for (const code of [0x2009, 0x202f]) {
          const thin = font.glyph(code)!;
          assert.equal(thin.width * thin.height, 0);
          assert.ok(thin.xadvance > 0 && thin.xadvance <= space.xadvance, `U+${code.toString(16)} advance ${thin.xadvance}`);
        }
        assert.equal(font.glyph(0x30)!.xadvance, font.glyph(0x39)!.xadvance, 'digits are tabular, so prices line up');
      });

      it('has line metrics that fit the glyphs: ascender above the baseline, Å and g inside the line', () => {
        const { font } = committed(face.name);
        const { lineHeight, base } = font.common;
        assert.ok(base > 0 && base < lineHeight && lineHeight <= Math.ceil(face.size * 1.4), `lineHeight ${lineHeight}, base ${base}`);
        for (const character of 'ÅÉgjyp') {
          const glyph = font.glyph(character.codePointAt(0)!)!;
          assert.ok(glyph.yoffset >= 0 && glyph.yoffset + glyph.height <= lineHeight, `${character} from ${glyph.yoffset} to ${glyph.yoffset + glyph.height}`);
        }
        const x = font.glyph(0x78)!;
        assert.equal(x.yoffset + x.height, base, 'x sits on the baseline');
      });

      it('keeps every glyph box inside the atlas, and every bit of ink inside a glyph box', () => {
        const { font, png } = committed(face.name);
        assert.deepEqual([png.width, png.height], [font.common.scaleW, font.common.scaleH]);
        assert.deepEqual(font.pages, [`${face.name}.png`]);
        const owned = new Uint8Array(png.width * png.height);
        for (let i = 0; i < font.charCount; i++) {
          const glyph = font.glyphAt(i);
          assert.ok(glyph.x + glyph.width <= png.width && glyph.y + glyph.height <= png.height, `U+${glyph.id.toString(16)} leaves the atlas`);
          for (let row = 0; row < glyph.height; row++) {
            for (let column = 0; column < glyph.width; column++) {
              const at = (glyph.y + row) * png.width + glyph.x + column;
              assert.equal(owned[at], 0, `U+${glyph.id.toString(16)} overlaps another glyph`);
              owned[at] = 1;
            }
          }
        }
        for (let at = 0; at < owned.length; at++) {
          if (!owned[at] && png.data[4 * at + 3] !== 0) assert.fail(`ink at ${at % png.width},${Math.floor(at / png.width)} belongs to no glyph`);
        }
      });

      it('is a gray+alpha PNG, black, with only the 16 alpha levels Poco keeps', () => {
        const { pngBytes, png } = committed(face.name);
        assert.equal(pngBytes[24], 8, 'bit depth');
        assert.equal(pngBytes[25], 4, 'colour type: gray with alpha');
        for (let i = 0; i < png.data.length; i += 4) {
          if (png.data[i] !== 0 || png.data[i + 3] % 17 !== 0) assert.fail(`pixel ${i / 4} is gray ${png.data[i]}, alpha ${png.data[i + 3]}`);
        }
      });
    });
  }

  it('ships the font licence (SIL OFL 1.1) beside the files', () => {
    const licence = readFileSync(join(FONTS_DIR, LICENCE_NAME), 'utf8');
    assert.match(licence, /SIL OPEN FONT LICENSE Version 1\.1/);
    assert.match(licence, /Open Sans Project Authors/);
    assert.equal(licence, readFileSync(LICENCE_SOURCE, 'utf8'));
  });

  it('are what the generator makes: the same .fnt bytes and the same atlas pixels', function () {
    this.timeout(60_000);
    const out = mkdtempSync(join(tmpdir(), 'fonts-'));
    writeFonts(out);
    for (const face of FACES) {
      const made = { fnt: readFileSync(join(out, `${face.name}.fnt`)), png: PNG.sync.read(readFileSync(join(out, `${face.name}.png`))) };
      const { fnt, png } = committed(face.name);
      assert.ok(made.fnt.equals(fnt), `${face.name}.fnt differs from what npm run fonts makes`);
      assert.ok(made.png.data.equals(png.data), `${face.name}.png's pixels differ from what npm run fonts makes`);
    }
    assert.equal(readFileSync(join(out, LICENCE_NAME), 'utf8'), readFileSync(join(FONTS_DIR, LICENCE_NAME), 'utf8'));
  });

  it('come out byte-identical from two runs of the generator', function () {
    this.timeout(60_000);
    const face = FACES[0];
    const first = generateFont(face);
    const second = generateFont(face);
    assert.deepEqual(second.fnt, first.fnt);
    assert.ok(second.png.equals(first.png));
  });
});
