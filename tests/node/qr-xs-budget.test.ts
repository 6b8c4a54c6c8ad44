// The drawing budget on the engine the device runs. Metering counts and allocation counts are
// deterministic, so these are exact checks, not timings: drawing the 86-character URL's QR
// (version 6, scale 4) must cost at most 60,000 units, building and sending every scanline
// included, and allocate at most 64 heap slots; and what a draw allocates must not grow with the
// number of modules (the ESP32's whole slot heap is 4,928).
import assert from 'node:assert/strict';
import { benchQr } from '../../tools/bench/qr';
import { runXs } from '../support/xs';

const METER_BUDGET = 60_000;
const SLOT_BUDGET = 64;

describe('QR drawing cost on XS', function () {
  this.timeout(60_000);

  it('stays within 60,000 metering units and 64 allocated slots for the 86-character payment URL', async () => {
    const rows = await benchQr({ nodeTimings: false });
    const url86 = rows.find((row) => row.chars === 86);
    assert.ok(url86, 'no figure for the 86-character URL');
    assert.equal(url86.version, 6);
    assert.equal(url86.scale, 4);
    assert.equal(url86.bytesSent, 196 * 196 * 2);
    assert.ok(url86.xsDrawMeter > 0 && url86.xsDrawMeter <= METER_BUDGET, `drawing cost ${url86.xsDrawMeter} metering units`);
    assert.ok(url86.xsDrawAllocSlots > 0 && url86.xsDrawAllocSlots <= SLOT_BUDGET, `drawing allocated ${url86.xsDrawAllocSlots} slots`);
    // At least the two 196-pixel scanline buffers: the chunk figure is really measured.
    assert.ok(url86.xsDrawAllocBytes >= 2 * 196 * 2, `drawing allocated ${url86.xsDrawAllocBytes} chunk bytes`);
  });

  it('allocates the same number of slots whatever the module count, from the 40-character URL to 700 bytes of text', async () => {
    const { lines } = await runXs(`
      import { drawQr } from 'qr/draw';
      import { encode } from 'qr/encode';
      import { BENCH_URLS } from './tests/support/qr-fixtures';
      import { allocatedBy } from './tests/support/xs-memory';
      declare function print(line: string): void;
      const box = { x: 0, y: 0, width: 240, height: 240 };
      const sink = { width: 240, height: 320, pixelFormat: 8, begin() {}, send() {}, end() {} };
      for (const text of [...BENCH_URLS, 'Brus 0,5 l – 35 kr; '.repeat(10).slice(0, 200), 'x'.repeat(700)]) {
        const matrix = encode(text);
        let side = 0;
        const { slots, chunkBytes } = allocatedBy(() => { side = drawQr(sink, matrix, box).side; });
        print(JSON.stringify({ chars: text.length, modules: matrix.modules.length, side, slots, chunkBytes }));
      }
    `);
    const draws = lines.map((line) => JSON.parse(line) as { chars: number; modules: number; side: number; slots: number; chunkBytes: number });
    assert.deepEqual(draws.map((draw) => draw.chars), [40, 86, 150, 200, 700]);
    const smallest = draws[0];
    const largest = draws[draws.length - 1];
    assert.ok(largest.modules > 10 * smallest.modules, `the inputs span ${smallest.modules} to ${largest.modules} modules`);
    for (const draw of draws) {
      assert.equal(draw.slots, smallest.slots, `${draw.chars} characters (${draw.modules} modules): ${draw.slots} slots, ${smallest.slots} for ${smallest.chars}`);
      assert.ok(draw.slots <= SLOT_BUDGET, `${draw.chars} characters: ${draw.slots} slots`);
      // Chunk memory: two scanlines of 2 bytes a pixel and the packed matrix, one bit a module.
      const bound = 2 * (2 * draw.side) + draw.modules / 8 + 256;
      assert.ok(draw.chunkBytes <= bound, `${draw.chars} characters: ${draw.chunkBytes} chunk bytes, more than ${bound}`);
    }
  });
});
