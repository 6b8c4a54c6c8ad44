// The committed fonts through the SDK, where one is installed: mcconfig takes them as `*-alpha`
// resources, Poco in the simulator measures text as BmfFont.measure does and draws it pixel for
// pixel as the desktop's text renderer does (black on white, and yellow on blue from x = -2); and
// the ASCII stand-ins BmfFont counts for missing characters are the SDK's own table.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { drawText, FONTS_DIR, loadFont } from '../../hosts/node/text-renderer';
import { findSubstitute, substituteCharCode } from 'fonts/ascii-substitutes';
import { FACES } from '../../tools/fonts/faces';
import { buildForSimulator, runSimulator, skipWithoutModdable } from '../support/moddable';

const TEXTS = [
  'Blåbærsyltetøy 25,00 kr €',
  'ÆØÅÄÖÉ æøåäöé – … ’ \u2009\u202f',
  // Not in the fonts: Poco's ASCII stand-ins ("IJ", "--", "!=", nothing, '"') and characters it skips.
  'Ĳ ĳ — ≠ \u200b x \u2033 \u00d7 \u0100',
  'Hamburgefonstiv 0123456789',
];
const WIDTH = 240;
const BLUE = 0x001f;
const YELLOW = 0xffe0;

function app(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fontspoco-'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
    include: ['$(MODDABLE)/examples/manifest_base.json', '$(MODDABLE)/examples/manifest_commodetto.json'],
    modules: { '*': './main', 'commodetto/BufferOut': '$(COMMODETTO)/commodettoBufferOut' },
    resources: { '*-alpha': FACES.map((face) => join(FONTS_DIR, face.name)) },
  }, null, 2));
  writeFileSync(join(dir, 'main.js'), `
import parseBMF from "commodetto/parseBMF";
import parseBMP from "commodetto/parseBMP";
import BufferOut from "commodetto/BufferOut";
import Poco from "commodetto/Poco";
import Resource from "Resource";
const texts = ${JSON.stringify(TEXTS)};
const measurer = new Poco(screen);
for (const name of ${JSON.stringify(FACES.map((face) => face.name))}) {
  const font = parseBMF(new Resource(name + ".fnt"));
  font.bitmap = parseBMP(new Resource(name + "-alpha.bmp"));
  texts.forEach((text, i) => trace("width " + name + " " + i + " " + measurer.getTextWidth(text, font) + "\\n"));
  const out = new BufferOut({width: ${WIDTH}, height: 2 * font.height, pixelFormat: screen.pixelFormat});
  const poco = new Poco(out);
  poco.begin();
  poco.fillRectangle(poco.makeColor(255, 255, 255), 0, 0, ${WIDTH}, font.height);
  poco.fillRectangle(poco.makeColor(0, 0, 255), 0, font.height, ${WIDTH}, font.height);
  poco.drawText(texts[0], font, poco.makeColor(0, 0, 0), 3, 0);
  poco.drawText(texts[1], font, poco.makeColor(255, 255, 0), -2, font.height);
  poco.end();
  const bytes = new Uint8Array(out.buffer);
  for (let y = 0; y < 2 * font.height; y++) {
    let line = "";
    for (let x = 0; x < ${WIDTH * 2}; x++) line += (bytes[y * ${WIDTH * 2} + x] | 0x100).toString(16).slice(1);
    trace("px " + name + " " + y + " " + line + "\\n");
  }
}
trace("fonts done\\n");
`);
  return dir;
}

describe('committed fonts in Poco (Moddable simulator)', function () {
  this.timeout(240_000);
  let output = '';

  before(async function () {
    skipWithoutModdable(this, 'draw the fonts with Poco');
    output = await runSimulator(await buildForSimulator(app()), 10);
    assert.match(output, /fonts done/, `the app did not finish:\n${output.slice(0, 2000)}`);
  });

  for (const face of FACES) {
    it(`${face.name}: getTextWidth equals BmfFont.measure, stand-ins included`, () => {
      const font = loadFont(face.name).font;
      TEXTS.forEach((text, i) => {
        const line = output.match(new RegExp(`^width ${face.name} ${i} (\\d+)$`, 'm'));
        assert.ok(line, `no width for text ${i}`);
        assert.equal(font.measure(text), Number(line[1]), JSON.stringify(text));
      });
    });

    it(`${face.name}: drawText's pixels equal the desktop renderer's`, () => {
      const font = loadFont(face.name);
      const lineHeight = font.font.common.lineHeight;
      const framebuffer = new Framebuffer(WIDTH, 2 * lineHeight);
      framebuffer.fill(0xffff, 0, 0, WIDTH, lineHeight);
      framebuffer.fill(BLUE, 0, lineHeight, WIDTH, lineHeight);
      drawText(framebuffer, font, TEXTS[0], 3, 0, 0x0000);
      drawText(framebuffer, font, TEXTS[1], -2, lineHeight, YELLOW);
      let inked = 0;
      for (let y = 0; y < 2 * lineHeight; y++) {
        const line = output.match(new RegExp(`^px ${face.name} ${y} ([0-9a-f]+)$`, 'm'));
        assert.ok(line, `no pixels for row ${y}`);
        const poco = Buffer.from(line[1], 'hex');
        for (let x = 0; x < WIDTH; x++) {
          const pixel = poco[2 * x] | (poco[2 * x + 1] << 8); // the simulator's screen is RGB565LE
          if (pixel !== framebuffer.pixel(x, y)) assert.fail(`pixel ${x},${y}: Poco ${pixel.toString(16)}, desktop ${framebuffer.pixel(x, y).toString(16)}`);
          if (pixel !== 0xffff && pixel !== BLUE) inked++;
        }
      }
      assert.ok(inked > 1000, `only ${inked} inked pixels`);
    });
  }
});

/** The SDK's stand-ins (cfeBMF.c): Latin-1 first where it has one, then the sorted table. */
function sdkSubstitutes(source: string): Map<number, string> {
  const code = source.replace(/\/\/[^\n]*/g, '');
  const unescape = (text: string) => text.replace(/\\(.)/g, '$1');
  const table = new Map<number, string>();
  for (const [, hex, ascii] of code.matchAll(/\{ 0x([0-9A-F]+), "((?:[^"\\]|\\.)*)"\s*\}/g)) table.set(parseInt(hex, 16), unescape(ascii));
  const latin1 = code.match(/kLatin1Base\[96\]\[2\] = \{([^}]*)\}/);
  assert.ok(latin1, 'no kLatin1Base in cfeBMF.c');
  [...latin1[1].matchAll(/"((?:[^"\\]|\\.)*)"/g)].forEach(([, ascii], i) => {
    if (ascii !== '') table.set(0xa0 + i, unescape(ascii));
  });
  return table;
}

function ours(codePoint: number): string | undefined {
  const start = findSubstitute(codePoint);
  if (start < 0) return undefined;
  let text = '';
  for (let k = 0; substituteCharCode(start, k) !== 0; k++) text += String.fromCharCode(substituteCharCode(start, k));
  return text;
}

describe("ASCII stand-ins against the SDK's font engine source", () => {
  it('has every stand-in of cfeBMF.c, and no other', function () {
    skipWithoutModdable(this, "compare with the SDK's stand-in table");
    const sdk = sdkSubstitutes(readFileSync(join(process.env.MODDABLE!, 'modules/commodetto/cfeBMF.c'), 'utf8'));
    assert.ok(sdk.size > 250, `only ${sdk.size} stand-ins read from cfeBMF.c`);
    for (let codePoint = 0; codePoint < 0x10000; codePoint++) {
      assert.equal(ours(codePoint), sdk.get(codePoint), `U+${codePoint.toString(16).toUpperCase()}`);
    }
  });
});
