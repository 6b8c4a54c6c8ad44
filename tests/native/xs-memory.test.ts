// The memory counters compiled into the project's xsnap build (tools/xsnap/xs-memory.c), read
// through tests/support/xs-memory.ts: what they count, that a collection never lowers the
// allocated figures, that the peak resets, and that a run gives the same figures every time.
import assert from 'node:assert/strict';
import { runXs } from '../support/xs';
import { xsMemoryAvailable } from '../support/xs-memory';

const PROBE = `
  import { allocatedBy, collectXsGarbage, readXsMemory, resetXsPeak, xsMemoryAvailable } from './tests/support/xs-memory';
  declare function print(line: string): void;
  const report = (name: string, value: unknown) => print(name + ' ' + JSON.stringify(value));
  const kept: unknown[] = [undefined];
  let lastReading: unknown;

  report('available', xsMemoryAvailable());
  report('nothing', allocatedBy(() => {}));
  report('reading', allocatedBy(() => { lastReading = readXsMemory(); }));
  report('object', allocatedBy(() => { kept[0] = { a: 1, b: 2 }; }));
  report('buffer', allocatedBy(() => { kept[0] = new ArrayBuffer(1000); }));
  report('garbage-collected-inside', allocatedBy(() => {
    for (let i = 0; i < 1000; i++) kept[0] = { i };
    collectXsGarbage();
  }));

  collectXsGarbage();
  const clean = readXsMemory();
  for (let i = 0; i < 2000; i++) kept[0] = { i };
  const dirty = readXsMemory();
  collectXsGarbage();
  const collected = readXsMemory();
  report('live', { clean: clean.slotsLive, dirty: dirty.slotsLive, collected: collected.slotsLive });

  resetXsPeak();
  const reset = readXsMemory();
  for (let i = 0; i < 500; i++) kept[0] = { i };
  collectXsGarbage();
  const after = readXsMemory();
  report('peak', { resetPeak: reset.slotsPeak, resetLive: reset.slotsLive, resetChunkPeak: reset.chunkBytesPeak, resetChunkLive: reset.chunkBytesLive, afterPeak: after.slotsPeak, afterLive: after.slotsLive });
  report('all', readXsMemory());
`;

type Reports = Record<string, any>;

function parse(lines: string[]): Reports {
  return Object.fromEntries(lines.map((line) => {
    const space = line.indexOf(' ');
    return [line.slice(0, space), JSON.parse(line.slice(space + 1))];
  }));
}

describe('XS memory counters (the project xsnap build)', function () {
  this.timeout(60_000);
  let reports: Reports;
  let stdout: string;

  before(async () => {
    ({ stdout } = await runXs(PROBE));
    reports = parse(stdout.trim().split('\n'));
  });

  it('are there on xsnap and not on Node', () => {
    assert.equal(reports.available, true);
    assert.equal(xsMemoryAvailable(), false);
  });

  it('count exactly what the code between two readings allocated, the readings themselves left out', () => {
    assert.deepEqual(reports.nothing, { slots: 0, chunkBytes: 0 });
    assert.deepEqual(reports.reading, { slots: 0, chunkBytes: 0 });
    // An object is one slot plus one a property; its properties need no chunk.
    assert.deepEqual(reports.object, { slots: 3, chunkBytes: 0 });
    // An ArrayBuffer's bytes are one chunk, with its header and rounding.
    assert.ok(reports.buffer.chunkBytes >= 1000 && reports.buffer.chunkBytes <= 1000 + 32, `ArrayBuffer(1000): ${reports.buffer.chunkBytes} chunk bytes`);
    assert.ok(reports.buffer.slots > 0 && reports.buffer.slots < 10, `ArrayBuffer(1000): ${reports.buffer.slots} slots`);
  });

  it('never lose what was allocated to a garbage collection', () => {
    // 1,000 objects of one property each, collected before the second reading.
    assert.ok(reports['garbage-collected-inside'].slots >= 2000, `${reports['garbage-collected-inside'].slots} slots`);
  });

  it('report live slots that include garbage until a collection', () => {
    const { clean, dirty, collected } = reports.live;
    assert.ok(dirty - clean >= 4000, `2,000 dead objects: live went from ${clean} to ${dirty}`);
    assert.ok(collected - clean < 20, `after the collection live is back near ${clean}: ${collected}`);
  });

  it('report a peak that a reset lowers to what is live', () => {
    const { resetPeak, resetLive, resetChunkPeak, resetChunkLive, afterPeak, afterLive } = reports.peak;
    assert.equal(resetPeak, resetLive);
    assert.equal(resetChunkPeak, resetChunkLive);
    assert.ok(afterPeak >= resetLive + 1000, `500 objects of one property: peak ${afterPeak}, from ${resetLive}`);
    assert.ok(afterLive < afterPeak);
  });

  it('give the same figures on every run of the same bundle', async () => {
    const again = await runXs(PROBE);
    assert.equal(again.stdout, stdout);
    const all = reports.all;
    for (const key of ['slotsAllocated', 'chunkBytesAllocated', 'slotsLive', 'chunkBytesLive', 'slotsPeak', 'chunkBytesPeak']) {
      assert.ok(Number.isInteger(all[key]) && all[key] > 0, `${key}: ${all[key]}`);
    }
    assert.ok(all.slotsAllocated >= all.slotsLive && all.chunkBytesAllocated >= all.chunkBytesLive);
  });
});
