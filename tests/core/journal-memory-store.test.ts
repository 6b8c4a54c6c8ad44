// The in-memory store keeps the device's limits, counts writes and survives a "reboot" through a snapshot.
import assert from 'node:assert/strict';
import { MemoryStore } from 'journal/memory-store';
import { MAX_KEY_LENGTH, MAX_VALUE_BYTES } from 'ports/store';

describe('journal MemoryStore', () => {
  it('gets, sets and deletes strings, and counts writes', () => {
    const store = new MemoryStore();
    assert.equal(store.get('a'), undefined);
    store.set('a', 'one');
    store.set('a', 'two');
    store.set('b', '');
    assert.equal(store.get('a'), 'two');
    assert.equal(store.get('b'), '');
    store.delete('a');
    store.delete('missing');
    assert.equal(store.get('a'), undefined);
    assert.equal(store.writes, 3);
    assert.equal(store.deletes, 2);
    assert.deepEqual(store.keys(), ['b']);
  });

  it('refuses keys over 15 characters and empty keys', () => {
    const store = new MemoryStore();
    const longest = 'k'.repeat(MAX_KEY_LENGTH);
    store.set(longest, 'fits');
    assert.equal(store.get(longest), 'fits');
    assert.throws(() => store.set(`${longest}x`, 'v'), /store key "k{15}x" must be 1-15 characters/);
    assert.throws(() => store.get(`${longest}x`), RangeError);
    assert.throws(() => store.set('', 'v'), RangeError);
    assert.equal(store.writes, 1);
  });

  it('refuses values over 4000 UTF-8 bytes, counting bytes and not characters, and stores nothing', () => {
    const store = new MemoryStore();
    store.set('ascii', 'a'.repeat(MAX_VALUE_BYTES));
    store.set('wide', '€'.repeat(1333));
    assert.throws(() => store.set('ascii', 'a'.repeat(MAX_VALUE_BYTES + 1)), /"ascii" is 4001 bytes, over the limit of 4000/);
    assert.throws(() => store.set('wide', '€'.repeat(1334)), /4002 bytes/);
    assert.throws(() => store.set('x', 5 as unknown as string), TypeError);
    assert.equal(store.get('ascii')!.length, MAX_VALUE_BYTES);
    assert.equal(store.get('wide')!.length, 1333);
    assert.equal(store.writes, 2);
  });

  it('starts from a snapshot of another store, and the copy is independent', () => {
    const store = new MemoryStore();
    store.set('z', '26');
    store.set('a', '1');
    const snapshot = store.snapshot();
    assert.deepEqual(Object.keys(snapshot), ['a', 'z']);
    const rebooted = new MemoryStore(snapshot);
    assert.equal(rebooted.get('z'), '26');
    assert.equal(rebooted.writes, 0);
    rebooted.set('a', 'changed');
    assert.equal(store.get('a'), '1');
    assert.equal(snapshot.a, '1');
    assert.throws(() => new MemoryStore({ 'a-key-that-is-too-long': 'v' }), RangeError);
  });
});
