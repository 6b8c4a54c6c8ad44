// qr/draw reads the matrix 32 modules a word with Uint32 views, Math.imul and Math.clz32. Real QR
// symbols never have a side that is a multiple of 32, a run of 32 dark modules, or modules in a
// view at an odd byte offset; hand-made matrices do, and every pixel must still be right at every
// scale, on Node and on the XS engine (whose integer arithmetic is its own).
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { bundleForXs, runXsFile } from '../support/xs';

// Runs on both engines: draws every awkward matrix and compares each scanline with the pixel a
// module-by-module reference gives. Prints one line: checked and wrong counts, and the first wrong.
const PROBE = `
  import { drawQr, placeQr, QUIET_ZONE } from 'qr/draw';
  import type { PixelSink } from 'qr/pixel-sink';
  declare function print(line: string): void;

  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

  class CheckingSink implements PixelSink {
    readonly width = 400;
    readonly height = 400;
    row = 0;
    wrong = '';
    constructor(readonly pixelFormat: number, readonly expected: (px: number, py: number) => number) {}
    begin(): void {}
    send(pixels: ArrayBuffer, offset: number, byteLength: number): void {
      const bytes = new Uint8Array(pixels, offset, byteLength);
      for (let px = 0; px < byteLength / 2; px++) {
        const got = this.pixelFormat === 7 ? bytes[2 * px] | (bytes[2 * px + 1] << 8) : (bytes[2 * px] << 8) | bytes[2 * px + 1];
        if (got !== this.expected(px, this.row) && !this.wrong) this.wrong = px + ',' + this.row + ' is ' + got.toString(16);
      }
      this.row++;
    }
    end(): void {}
  }

  let checked = 0;
  let wrong = 0;
  let first = '';
  for (const size of [1, 2, 5, 21, 31, 32, 33, 41, 63, 64, 65, 96, 97, 130]) {
    for (const density of [0, 0.03, 0.5, 0.97, 1]) {
      for (let offset = 0; offset < 4; offset++) {
        const count = size * size;
        const modules = new Uint8Array(count + 4).subarray(offset, offset + count);
        for (let i = 0; i < count; i++) modules[i] = random() < density ? 1 : 0;
        const box = { x: 3, y: 5, width: 390, height: Math.min(390, (size + 2 * QUIET_ZONE) * (1 + offset)) };
        const { scale } = placeQr(size, box);
        const format = offset % 2 === 0 ? 7 : 8;
        const expected = (px: number, py: number) => {
          const mx = Math.floor(px / scale) - QUIET_ZONE;
          const my = Math.floor(py / scale) - QUIET_ZONE;
          const inside = mx >= 0 && my >= 0 && mx < size && my < size;
          return inside && modules[my * size + mx] === 1 ? 0x1234 : 0xfedc;
        };
        const sink = new CheckingSink(format, expected);
        drawQr(sink, { size, modules }, box, { dark: 0x1234, light: 0xfedc });
        checked++;
        if (sink.wrong || sink.row !== (size + 2 * QUIET_ZONE) * scale) {
          wrong++;
          if (!first) first = 'size ' + size + ' density ' + density + ' offset ' + offset + ' format ' + format + ': ' + (sink.wrong || sink.row + ' rows');
        }
      }
    }
  }
  print(JSON.stringify({ checked, wrong, first }));
`;

interface Outcome { checked: number; wrong: number; first: string }

function expectAllRight(line: string | undefined): void {
  assert.ok(line, 'the probe printed nothing');
  const outcome = JSON.parse(line) as Outcome;
  assert.equal(outcome.checked, 14 * 5 * 4);
  assert.equal(outcome.wrong, 0, outcome.first);
}

describe('qr/draw on awkward matrices', function () {
  this.timeout(60_000);
  let bundle: string;

  before(async () => {
    bundle = await bundleForXs(PROBE);
  });

  it('draws every pixel right on the XS engine: sides around multiples of 32, all-dark rows, unaligned views', async () => {
    const { lines } = await runXsFile(bundle);
    expectAllRight(lines.at(-1));
  });

  it('and on Node, from the same bundle', async () => {
    const printed: string[] = [];
    const global = globalThis as { print?: (line: string) => void };
    global.print = (line) => printed.push(line);
    try {
      await import(pathToFileURL(bundle).href);
    } finally {
      delete global.print;
    }
    expectAllRight(printed.at(-1));
  });
});
