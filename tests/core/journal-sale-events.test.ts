// The sales log as the fleet link's outbox: each change of an entry has the next sequence number,
// numbers never come back after a reboot, and the acknowledged number survives one.
import assert from 'node:assert/strict';
import { MemoryStore } from 'journal/memory-store';
import { SaleJournal } from 'app/sale/journal';

const machine = { posId: 'm1', currency: 'NOK' };
const entry = (n: number, outcome: 'captured' | 'capture-pending' | 'refunded' | 'failed' = 'captured') => ({ time: 1_800_000_000 + n, product: 'cola', amount: 2500, reference: `m1-${n}-abc`, outcome });

describe('sale journal: sale events for the fleet', () => {
  it('numbers each append and each update, oldest first after a given number', () => {
    const journal = new SaleJournal(new MemoryStore(), machine);
    assert.equal(journal.lastSaleSeq, 0);
    journal.appendLog(entry(1, 'capture-pending'));
    journal.appendLog(entry(2));
    assert.equal(journal.updateLog('m1-1-abc', 'captured'), true);
    assert.equal(journal.lastSaleSeq, 3);
    const events = journal.saleEvents(0, 10)!;
    assert.deepEqual(events.map((event) => [event.reference, event.outcome, event.seq]), [['m1-2-abc', 'captured', 2], ['m1-1-abc', 'captured', 3]]);
    assert.deepEqual(journal.saleEvents(2, 10)!.map((event) => event.seq), [3]);
    assert.deepEqual(journal.saleEvents(0, 1)!.map((event) => event.seq), [2], 'at most the limit');
  });

  it('marks a second entry of a reference (a refund) as a repeat', () => {
    const journal = new SaleJournal(new MemoryStore(), machine);
    journal.appendLog(entry(1));
    journal.appendLog(entry(1, 'failed'));
    const events = journal.saleEvents(0, 10)!;
    assert.equal(events[0].repeat, undefined);
    assert.equal(events[1].repeat, true);
  });

  it('never gives a number out twice across reboots, even once the acknowledged entries left the log', () => {
    const store = new MemoryStore();
    let journal = new SaleJournal(store, machine);
    for (let n = 1; n <= 60; n++) journal.appendLog(entry(n));
    journal.setFleetAcked(60);
    journal = new SaleJournal(new MemoryStore(store.snapshot()), machine);
    assert.equal(journal.lastSaleSeq, 60);
    assert.equal(journal.fleetAcked, 60);
    journal.appendLog(entry(61));
    assert.deepEqual(journal.saleEvents(journal.fleetAcked, 10)!.map((event) => event.seq), [61]);
  });

  it('keeps the acknowledged number from going back', () => {
    const journal = new SaleJournal(new MemoryStore(), machine);
    for (let n = 1; n <= 3; n++) journal.appendLog(entry(n));
    journal.setFleetAcked(3);
    journal.setFleetAcked(1);
    assert.equal(journal.fleetAcked, 3);
  });

  it('says the log cannot be read instead of reporting nothing to send', () => {
    const store = new MemoryStore();
    const journal = new SaleJournal(store, machine);
    journal.appendLog(entry(1));
    const get = store.get.bind(store);
    store.get = (key: string) => { if (key.startsWith('log.')) throw new Error('flash read'); return get(key); };
    assert.equal(journal.saleEvents(0, 10), undefined);
    assert.match(journal.failure ?? '', /read log: flash read/);
  });

  it('counts the sale events that leave the 50-sale log unacknowledged, across a reboot, test-fires excepted', () => {
    const store = new MemoryStore();
    let journal = new SaleJournal(store, machine);
    for (let n = 1; n <= 50; n++) journal.appendLog(n <= 5 ? entry(n) : { ...entry(n), outcome: n <= 10 ? 'test-fire' as 'captured' : 'captured' });
    journal.setFleetAcked(3);
    assert.equal(journal.fleetLost, 0, 'a full log loses nothing yet');
    journal.appendLog(entry(51)); // a new page (5 entries) over the oldest: 1-5 leave, 4 and 5 unacknowledged
    assert.equal(journal.fleetLost, 2);
    journal = new SaleJournal(new MemoryStore(store.snapshot()), machine);
    assert.equal(journal.fleetLost, 2, 'kept over a reboot');
    for (let n = 52; n <= 56; n++) journal.appendLog(entry(n)); // 6-10 leave: test-fires
    assert.equal(journal.fleetLost, 2, 'test-fires that leave are not lost sales');
    journal.setFleetAcked(56);
    for (let n = 57; n <= 70; n++) journal.appendLog(entry(n)); // 11-25 leave, acknowledged
    assert.equal(journal.fleetLost, 2, 'acknowledged entries that leave are not lost');
  });

});
