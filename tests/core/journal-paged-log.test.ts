// PagedLog: a bounded log in a ring of checksummed pages. One store write per append or update,
// the newest entries kept, the head found again from sequence numbers after a reboot, and a
// damaged page costing only its own entries. Today's page format is pinned by a fixture.
import assert from 'node:assert/strict';
import { encodeEnvelope } from 'journal/envelope';
import { JournalError, isJournalError } from 'journal/errors';
import { MemoryStore } from 'journal/memory-store';
import { PagedLog } from 'journal/paged-log';

interface Sale { id: number; ok: boolean }

// Today's page format (CRC checked against Node's zlib.crc32): page seq 6 of a 5-page ring lives in key "log.1".
const FIXTURE_PAGE = 'L1:1:6:71326ddd:[{"id":60,"ok":true},{"id":61,"ok":false}]';

function ids(log: PagedLog<Sale>): number[] {
  return log.entries().map((entry) => entry.id);
}

function range(from: number, to: number): number[] {
  const list: number[] = [];
  for (let i = from; i <= to; i++) list.push(i);
  return list;
}

function fill(log: PagedLog<Sale>, from: number, to: number): void {
  for (let id = from; id <= to; id++) log.append({ id, ok: false });
}

describe('journal PagedLog', () => {
  let store: MemoryStore;
  let log: PagedLog<Sale>;

  beforeEach(() => {
    store = new MemoryStore();
    log = new PagedLog<Sale>(store, 'log', { version: 1 });
  });

  it('hands back what an append pushes out of the ring: nothing until it is full, then the oldest page', () => {
    const dropped: number[][] = [];
    for (let id = 1; id <= 61; id++) dropped.push(log.append({ id, ok: false }).map((entry) => entry.id));
    assert.deepEqual(dropped.slice(0, 50).flat(), [], 'nothing leaves a ring that is not full');
    assert.deepEqual(dropped[50], range(1, 10), 'the 51st starts a page over the oldest');
    assert.deepEqual(dropped.slice(51, 60).flat(), []);
    assert.deepEqual(dropped[60], range(11, 20));
    assert.deepEqual(ids(log), range(21, 61).slice(-50));
  });

  it('returns entries oldest first, and the same after a reboot', () => {
    assert.deepEqual(log.entries(), []);
    fill(log, 1, 3);
    assert.deepEqual(log.entries(), [{ id: 1, ok: false }, { id: 2, ok: false }, { id: 3, ok: false }]);
    assert.deepEqual(ids(new PagedLog<Sale>(new MemoryStore(store.snapshot()), 'log', { version: 1 })), [1, 2, 3]);
  });

  it('costs one store write per append, and fills pages of ten in key order', () => {
    assert.equal(log.capacity, 50);
    for (let id = 1; id <= 23; id++) {
      log.append({ id, ok: false });
      assert.equal(store.writes, id);
    }
    assert.equal(log.writes, 23);
    assert.deepEqual(store.keys(), ['log.0', 'log.1', 'log.2']);
    assert.match(store.get('log.0')!, /^L1:1:0:[0-9a-f]{8}:\[\{"id":1,.*\{"id":10,"ok":false\}\]$/);
    assert.match(store.get('log.2')!, /^L1:1:2:[0-9a-f]{8}:\[\{"id":21,.*\{"id":23,"ok":false\}\]$/);
  });

  it('keeps the newest entries as the ring goes round: a new page replaces the oldest', () => {
    fill(log, 1, 50);
    assert.deepEqual(ids(log), range(1, 50));
    fill(log, 51, 60);
    assert.deepEqual(ids(log), range(11, 60));
    log.append({ id: 61, ok: false });
    assert.deepEqual(ids(log), range(21, 61)); // between 41 and 50 entries are kept
    assert.equal(store.writes, 61);
    assert.match(store.get('log.1')!, /^L1:1:6:/);
  });

  it('finds the head again after reboots mid-page and mid-ring, and carries on in order', () => {
    fill(log, 1, 23);
    const second = new PagedLog<Sale>(store, 'log', { version: 1 });
    fill(second, 24, 57);
    const third = new PagedLog<Sale>(store, 'log', { version: 1 });
    fill(third, 58, 75);
    assert.equal(third.writes, 18);
    assert.equal(store.writes, 75);
    assert.deepEqual(ids(new PagedLog<Sale>(store, 'log', { version: 1 })), range(31, 75));
  });

  it('update rewrites only the page with the newest matching entry, or nothing', () => {
    fill(log, 1, 25);
    log.append({ id: 7, ok: false }); // a second entry matching id 7, in page 2
    const before = store.snapshot();
    assert.equal(log.update((e) => e.id === 7, (e) => ({ ...e, ok: true })), true);
    const after = store.snapshot();
    assert.deepEqual(Object.keys(after).filter((key) => after[key] !== before[key]), ['log.2']);
    assert.deepEqual(log.entries().filter((e) => e.id === 7), [{ id: 7, ok: false }, { id: 7, ok: true }]);
    assert.equal(log.update((e) => e.id === 3, (e) => ({ ...e, ok: true })), true);
    assert.deepEqual(log.entries()[2], { id: 3, ok: true });
    const writes = store.writes;
    assert.equal(log.update((e) => e.id === 99, (e) => e), false);
    assert.equal(store.writes, writes);
    // The head page kept its place: the next append still goes to page 2.
    log.append({ id: 26, ok: false });
    assert.match(store.get('log.2')!, /^L1:1:2:.*"id":26,"ok":false\}\]$/);
    assert.deepEqual(ids(new PagedLog<Sale>(store, 'log', { version: 1 })).slice(-3), [25, 7, 26]);
  });

  it('an update after a reboot finds the entry and the next append still goes to the head', () => {
    fill(log, 1, 15);
    const rebooted = new PagedLog<Sale>(store, 'log', { version: 1 });
    assert.equal(rebooted.update((e) => e.id === 15, () => ({ id: 15, ok: true })), true);
    rebooted.append({ id: 16, ok: false });
    assert.deepEqual(rebooted.entries().slice(-2), [{ id: 15, ok: true }, { id: 16, ok: false }]);
    assert.equal(rebooted.writes, 2);
  });

  it('loses a damaged page\'s entries and keeps every other page', () => {
    fill(log, 1, 35);
    store.set('log.1', store.get('log.1')!.slice(0, 40));
    assert.deepEqual(ids(new PagedLog<Sale>(store, 'log', { version: 1 })), [...range(1, 10), ...range(21, 35)]);
    store.set('log.2', store.get('log.2')!.replace('"id":25', '"id":26'));
    store.set('log.3', '');
    assert.deepEqual(ids(new PagedLog<Sale>(store, 'log', { version: 1 })), range(1, 10));
  });

  it('after the head page is damaged, the next append starts a page after the newest intact one', () => {
    fill(log, 1, 25);
    store.set('log.2', 'L1:1:2:garbage');
    const rebooted = new PagedLog<Sale>(store, 'log', { version: 1 });
    rebooted.append({ id: 26, ok: false });
    assert.deepEqual(ids(rebooted), [...range(1, 20), 26]);
    assert.match(store.get('log.2')!, /^L1:1:2:[0-9a-f]{8}:\[\{"id":26,"ok":false\}\]$/);
  });

  it('ignores a page in the wrong key and a page older than the ring can hold', () => {
    fill(log, 1, 12);
    store.set('log.3', store.get('log.0')!); // page 0 copied to key 3
    assert.deepEqual(ids(new PagedLog<Sale>(store, 'log', { version: 1 })), range(1, 12));
    const stale = new MemoryStore({
      'log.0': encodeEnvelope('L1', 1, 10, '[{"id":100,"ok":false}]'),
      'log.4': encodeEnvelope('L1', 1, 4, '[{"id":40,"ok":false}]'), // seq 4 would have been replaced by seq 9
    });
    assert.deepEqual(ids(new PagedLog<Sale>(stale, 'log', { version: 1 })), [100]);
  });

  it('reads today\'s page format from the fixture and writes exactly the fixture', () => {
    store.set('log.1', FIXTURE_PAGE);
    assert.deepEqual(log.entries(), [{ id: 60, ok: true }, { id: 61, ok: false }]);
    // A ring whose head is page 5 (key log.0), full: the next two appends make page 6 in key log.1.
    const full = JSON.stringify(range(50, 59).map((id) => ({ id, ok: true })));
    const fresh = new MemoryStore({ 'log.0': encodeEnvelope('L1', 1, 5, full) });
    const writer = new PagedLog<Sale>(fresh, 'log', { version: 1 });
    writer.append({ id: 60, ok: true });
    writer.append({ id: 61, ok: false });
    assert.equal(fresh.get('log.1'), FIXTURE_PAGE);
  });

  it('gives entries from pages of another version to the upgrade function', () => {
    fill(log, 1, 12);
    const newer = new PagedLog<{ id: number; ok: boolean; v: number }>(store, 'log', {
      version: 2,
      upgrade: (entry, version) => ({ ...(entry as Sale), v: version }),
    });
    newer.append({ id: 13, ok: true, v: 2 });
    const entries = newer.entries();
    assert.deepEqual(entries.slice(-3), [{ id: 11, ok: false, v: 1 }, { id: 12, ok: false, v: 1 }, { id: 13, ok: true, v: 2 }]);
    assert.match(store.get('log.2')!, /^L1:2:2:/); // not appended to a version 1 page
    newer.update((e) => e.id === 5, (e) => ({ ...e, ok: true }));
    assert.match(store.get('log.0')!, /^L1:2:0:.*\{"id":5,"ok":true,"v":1\}/); // upgraded entries, so the page is version 2 now
    const plain = new PagedLog<Sale>(store, 'log', { version: 3 });
    plain.update((e) => e.id === 11, (e) => ({ ...e, ok: true }));
    assert.match(store.get('log.1')!, /^L1:1:1:/); // not upgraded: the page keeps the version its entries have
  });

  it('refuses an entry too big for a page of its own with a JournalError, writing nothing', () => {
    const small = new PagedLog<{ text: string }>(store, 'small', { version: 1, maxBytes: 100 });
    small.append({ text: 'a' });
    const before = store.snapshot();
    assert.throws(() => small.append({ text: 'ø'.repeat(40) }), (e: unknown) =>
      isJournalError(e, 'too-large') && e.record === 'small' && e.bytes === 109 && e.limit === 100 && /journal log "small": page is 109 bytes, over the limit of 100/.test(e.message));
    assert.deepEqual(store.snapshot(), before);
    assert.equal(small.writes, 1);
  });

  it('starts a new page early when the next entry would push the head over maxBytes', () => {
    const small = new PagedLog<{ text: string }>(store, 'small', { version: 1, maxBytes: 100 });
    small.append({ text: 'a'.repeat(40) });
    small.append({ text: 'b'.repeat(40) }); // the page would be 120 bytes
    assert.deepEqual(store.keys(), ['small.0', 'small.1']);
    assert.deepEqual(small.entries().map((e) => e.text[0]), ['a', 'b']);
  });

  it('an update that would push its page over maxBytes throws and writes nothing', () => {
    const small = new PagedLog<{ text: string }>(store, 'small', { version: 1, maxBytes: 100 });
    small.append({ text: 'a' });
    small.append({ text: 'b' });
    const before = store.snapshot();
    assert.throws(() => small.update((e) => e.text === 'a', () => ({ text: 'x'.repeat(90) })), JournalError);
    assert.throws(() => small.update((e) => e.text === 'a', () => undefined as unknown as { text: string }), (e: unknown) => isJournalError(e, 'unencodable'));
    assert.deepEqual(store.snapshot(), before);
  });

  it('takes other ring shapes and refuses names and options that do not fit the store', () => {
    const ring = new PagedLog<Sale>(store, 'r', { version: 1, pages: 3, entriesPerPage: 2 });
    assert.equal(ring.capacity, 6);
    fill(ring, 1, 9);
    assert.deepEqual(ids(ring), range(5, 9));
    new PagedLog(store, 'a'.repeat(13), { version: 1 });
    new PagedLog(store, 'a'.repeat(12), { version: 1, pages: 11 });
    assert.throws(() => new PagedLog(store, 'a'.repeat(14), { version: 1 }), (e: unknown) => isJournalError(e, 'config'));
    assert.throws(() => new PagedLog(store, 'a'.repeat(13), { version: 1, pages: 11 }), JournalError);
    assert.throws(() => new PagedLog(store, 'log', { version: 1, pages: 1 }), JournalError);
    assert.throws(() => new PagedLog(store, 'log', { version: 1, entriesPerPage: 0 }), JournalError);
    assert.throws(() => new PagedLog(store, 'log', { version: 1, maxBytes: 5000 }), JournalError);
  });
});
