// SlotRecord: one record in two alternating keys, each a checksummed envelope. Damaged slots of
// every kind are ignored, sizes are enforced before writing, and today's exact slot format is
// pinned by a fixture so that a format change cannot slip in unnoticed.
import assert from 'node:assert/strict';
import { JournalError, isJournalError } from 'journal/errors';
import { MemoryStore } from 'journal/memory-store';
import { SlotRecord } from 'journal/slot-record';

interface Sale { ref: string; state: string; amount: number; note?: string }

// Today's slot format, byte for byte (CRC checked against Node's zlib.crc32). If this test fails,
// the format changed: old machines' journals must still be read, so give the new one a new marker.
const FIXTURE_SALE: Sale = { ref: 'vend-00000042-k3x9', state: 'dispensing', amount: 2500, note: 'Øl' };
const FIXTURE_SLOT = 'R1:2:7:cd9f0777:{"ref":"vend-00000042-k3x9","state":"dispensing","amount":2500,"note":"Øl"}';
const FIXTURE_TOMBSTONE = 'R1:2:8:afdc66ea:';

function sale(n: number): Sale {
  return { ref: `vend-${String(n).padStart(8, '0')}`, state: 'creating', amount: 100 * n };
}

describe('journal SlotRecord', () => {
  let store: MemoryStore;
  let record: SlotRecord<Sale>;

  beforeEach(() => {
    store = new MemoryStore();
    record = new SlotRecord<Sale>(store, 'sale', { version: 1 });
  });

  it('reads back what it wrote, with version and sequence number, also after a reboot', () => {
    assert.equal(record.read(), undefined);
    record.write(sale(1));
    assert.deepEqual(record.read(), { value: sale(1), version: 1, seq: 1 });
    record.write(sale(2));
    const rebooted = new SlotRecord<Sale>(new MemoryStore(store.snapshot()), 'sale', { version: 1 });
    assert.deepEqual(rebooted.read(), { value: sale(2), version: 1, seq: 2 });
  });

  it('writes the two keys in turn, one store write per write, continuing the turn after a reboot', () => {
    record.write(sale(1));
    assert.deepEqual(store.keys(), ['sale.0']);
    record.write(sale(2));
    record.write(sale(3));
    assert.match(store.get('sale.0')!, /^R1:1:3:/);
    assert.match(store.get('sale.1')!, /^R1:1:2:/);
    assert.equal(record.writes, 3);
    assert.equal(store.writes, 3);
    const rebooted = new SlotRecord<Sale>(store, 'sale', { version: 1 });
    rebooted.write(sale(4));
    assert.match(store.get('sale.1')!, /^R1:1:4:.*"amount":400/);
    assert.match(store.get('sale.0')!, /^R1:1:3:/);
    assert.equal(rebooted.writes, 1);
  });

  it('reads today\'s slot format from the fixture and writes exactly the fixture', () => {
    store.set('sale.1', FIXTURE_SLOT);
    assert.deepEqual(record.read(), { value: FIXTURE_SALE, version: 2, seq: 7 });
    const seeded = new MemoryStore();
    const seeder = new SlotRecord<Sale>(seeded, 'sale', { version: 2 });
    for (let i = 1; i <= 6; i++) seeder.write(sale(i));
    seeder.write(FIXTURE_SALE);
    assert.equal(seeded.get('sale.0'), FIXTURE_SLOT);
    seeder.clear();
    assert.equal(seeded.get('sale.1'), FIXTURE_TOMBSTONE);
    store.set('sale.0', FIXTURE_TOMBSTONE);
    assert.equal(record.read(), undefined);
  });

  it('carries the writer\'s schema version, so a newer reader sees it was written by an older one', () => {
    record.write(sale(1));
    const newer = new SlotRecord<Sale>(store, 'sale', { version: 2 });
    assert.equal(newer.read()!.version, 1);
    newer.write(sale(2));
    assert.equal(record.read()!.version, 2);
    assert.equal(record.read()!.seq, 2);
  });

  it('ignores torn, truncated, garbled, empty and foreign slots, falling back to the other slot', () => {
    record.write(sale(1));
    record.write(sale(2));
    const good = store.get('sale.1')!;
    const damaged = [
      good.slice(0, -1), // truncated by one character
      good.slice(0, 20), // torn
      good.slice(0, 16), // header only
      good.replace('"amount":200', '"amount":900'), // garbled payload, header intact
      good.replace('R1:1:2:', 'R1:1:3:'), // garbled sequence number
      good.replace('R1:1:2:', 'R1:9:2:'), // garbled version
      `${good.slice(0, 7)}${good.slice(7, 15).toUpperCase()}${good.slice(15)}`, // CRC in another spelling
      good.replace('R1:1:2:', 'R1:1:02:'), // seq in another spelling
      good.replace('R1:', 'L1:'), // a PagedLog page's marker
      '',
      '{"ref":"vend-00000002","state":"creating","amount":200}', // bare JSON from another writer
      'R1',
      'R1:1:2:',
      'R1:1:2:zzzzzzzz:{}',
      '\u0000\u0000\u0000\u0000',
    ];
    for (const value of damaged) {
      store.set('sale.1', value);
      const reader = new SlotRecord<Sale>(store, 'sale', { version: 1 });
      assert.deepEqual(reader.read(), { value: sale(1), version: 1, seq: 1 }, `slot ${JSON.stringify(value)} was trusted`);
    }
    store.set('sale.0', 'garbage');
    assert.equal(new SlotRecord<Sale>(store, 'sale', { version: 1 }).read(), undefined);
  });

  it('never trusts a torn slot, whatever the prefix length', () => {
    record.write(sale(1));
    record.write(sale(2));
    const good = store.get('sale.1')!;
    for (let length = 0; length < good.length; length++) {
      store.set('sale.1', good.slice(0, length));
      assert.deepEqual(new SlotRecord<Sale>(store, 'sale', { version: 1 }).read()?.value, sale(1), `prefix of ${length}`);
    }
  });

  it('after damage to the newest slot, the next write goes into that slot and continues the sequence', () => {
    record.write(sale(1));
    record.write(sale(2));
    store.set('sale.1', store.get('sale.1')!.slice(0, 30));
    const rebooted = new SlotRecord<Sale>(store, 'sale', { version: 1 });
    assert.equal(rebooted.read()!.seq, 1);
    rebooted.write(sale(3));
    assert.match(store.get('sale.1')!, /^R1:1:2:/);
    assert.deepEqual(rebooted.read(), { value: sale(3), version: 1, seq: 2 });
  });

  it('refuses a slot over maxBytes with a JournalError naming the record and the size, and writes nothing', () => {
    const small = new SlotRecord<{ text: string }>(store, 'big', { version: 1, maxBytes: 64 });
    small.write({ text: 'fits' });
    const before = store.snapshot();
    const error = (() => {
      try {
        small.write({ text: 'ø'.repeat(30) }); // 30 characters, 60 bytes of payload text
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(error instanceof JournalError);
    assert.ok(isJournalError(error, 'too-large'));
    assert.equal(error.record, 'big');
    assert.equal(error.limit, 64);
    assert.equal(error.bytes, 87);
    assert.match(error.message, /journal record "big": slot is 87 bytes, over the limit of 64/);
    assert.deepEqual(store.snapshot(), before);
    assert.equal(small.writes, 1);
    assert.deepEqual(small.read()!.value, { text: 'fits' });
  });

  it('the default limit is 1024 bytes, envelope included', () => {
    const envelope = 'R1:1:1:00000000:{"t":""}'.length;
    record.write({ ref: 'x', state: 'y', amount: 1 });
    const exact = new SlotRecord<{ t: string }>(new MemoryStore(), 'exact', { version: 1 });
    exact.write({ t: 'a'.repeat(1024 - envelope) });
    assert.throws(() => exact.write({ t: 'a'.repeat(1025 - envelope) }), (e: unknown) => isJournalError(e, 'too-large') && e.bytes === 1025);
  });

  it('refuses names whose keys would pass 15 characters, bad versions and limits, and values with no JSON form', () => {
    new SlotRecord(store, 'a'.repeat(13), { version: 0 });
    assert.throws(() => new SlotRecord(store, 'a'.repeat(14), { version: 0 }), (e: unknown) => isJournalError(e, 'config') && /"aaaaaaaaaaaaaa" must be 1-13 characters/.test((e as Error).message));
    assert.throws(() => new SlotRecord(store, '', { version: 0 }), JournalError);
    assert.throws(() => new SlotRecord(store, 'r', { version: -1 }), JournalError);
    assert.throws(() => new SlotRecord(store, 'r', { version: 1.5 }), JournalError);
    assert.throws(() => new SlotRecord(store, 'r', { version: 1, maxBytes: 4001 }), JournalError);
    const loose = new SlotRecord<unknown>(store, 'loose', { version: 1 });
    assert.throws(() => loose.write(undefined), (e: unknown) => isJournalError(e, 'unencodable'));
    assert.deepEqual(store.keys(), []);
  });

  it('clear writes one tombstone into the other slot: empty after a reboot, and the old sale cannot come back', () => {
    record.write(sale(1));
    record.write(sale(2));
    record.clear();
    assert.equal(record.read(), undefined);
    assert.match(store.get('sale.0')!, /^R1:1:3:[0-9a-f]{8}:$/);
    assert.match(store.get('sale.1')!, /"amount":200/); // still there, hidden by the tombstone
    assert.equal(new SlotRecord<Sale>(store, 'sale', { version: 1 }).read(), undefined);
    record.clear(); // already empty: no write
    assert.equal(record.writes, 3);
    // The next sale overwrites the old one first, so a cut in that write leaves the record empty.
    record.write(sale(3));
    assert.match(store.get('sale.1')!, /^R1:1:4:.*"amount":300/);
    store.set('sale.1', store.get('sale.1')!.slice(0, 10));
    assert.equal(new SlotRecord<Sale>(store, 'sale', { version: 1 }).read(), undefined);
  });

  it('clear on a record that was never written writes nothing', () => {
    record.clear();
    store.set('sale.0', 'torn');
    new SlotRecord<Sale>(store, 'sale', { version: 1 }).clear();
    assert.equal(record.writes, 0);
    assert.equal(store.writes, 1);
  });

  it('two records share a store without touching each other\'s keys', () => {
    const other = new SlotRecord<number>(store, 'count', { version: 1 });
    record.write(sale(1));
    other.write(41);
    other.write(42);
    assert.deepEqual(store.keys(), ['count.0', 'count.1', 'sale.0']);
    assert.equal(other.read()!.value, 42);
    assert.deepEqual(record.read()!.value, sale(1));
  });
});
