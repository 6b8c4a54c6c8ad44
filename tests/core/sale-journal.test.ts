// The sale journal's records: small enough for the ESP32's NVS, readable by newer firmware, and
// the queue bounded.
import assert from 'node:assert/strict';
import { MemoryStore } from 'journal/memory-store';
import { utf8Length } from 'journal/utf8-length';
import { FLEET_SLOT_BYTES, LOG_CAPACITY, MAX_QUEUE, SaleJournal, SLOT_BYTES, type QueueItem } from 'app/sale/journal';
import { problem } from './epayment-fakes';
import { rig, runUntil, testMachineConfig, until } from './sale-fixtures';

const POS_ID_24 = 'abcdefghijklmnopqrstuvwx';

function item(n: number, operation: QueueItem['operation'] = 'capture'): QueueItem {
  return { operation, reference: `${POS_ID_24}-${1_000_000 + n}-zzzzzz`, amount: 6_500_000, currency: 'NOK', product: 'product-id-16chr', time: 1_800_000_000, overdue: n % 2 === 0 };
}

describe('sale journal', () => {
  it('keeps the whole store under 8 KB with a full queue, a full log and 24-character references', () => {
    const store = new MemoryStore();
    const journal = new SaleJournal(store, { posId: POS_ID_24, currency: 'NOK' });
    for (let i = 0; i < 30; i++) journal.setStock(`product-id-${String(i).padStart(5, '0')}`, 9999);
    journal.setSoldOut('product-id-00001', true);
    journal.setProductFault('product-id-00002', 'sensor');
    let n = 0;
    while (journal.queueHasRoom(item(n + 1).reference)) journal.enqueue(item(++n));
    assert.equal(n, MAX_QUEUE, `${n} items fit the 1 KB queue record`);
    for (let i = 0; i < LOG_CAPACITY + 7; i++) {
      journal.appendLog({ time: 1_800_000_000 + i, product: 'product-id-16chr', amount: 6_500_000, reference: item(i).reference, outcome: 'capture-overdue' });
    }
    // A sale whose unit was counted leaves its reference in the stock record.
    journal.beginSale({ reference: item(98).reference, product: 'product-id-00003', amount: 6_500_000, currency: 'NOK', phase: 'release', time: 1_800_000_000, takesUnit: true });
    journal.closeSale();
    assert.equal(journal.stockOf('product-id-00003'), 9998);
    journal.beginSale({ reference: item(99).reference, product: 'product-id-16chr', amount: 6_500_000, currency: 'NOK', phase: 'capture', time: 1_800_000_000 });
    const snapshot = store.snapshot();
    let total = 0;
    for (const key of Object.keys(snapshot)) {
      const bytes = utf8Length(snapshot[key]) + key.length;
      assert.ok(utf8Length(snapshot[key]) <= SLOT_BYTES, `${key}: ${bytes} bytes`);
      total += bytes;
    }
    // The fleet's small record (two slots) comes on top: the log wrapped before the fleet acknowledged, so it counts the loss.
    const fleetKeys = Object.keys(snapshot).filter((key) => key.startsWith('fleet.'));
    assert.ok(fleetKeys.length > 0, 'the fleet record counts what the log lost');
    const fleetBytes = fleetKeys.reduce((sum, key) => sum + utf8Length(snapshot[key]) + key.length, 0);
    assert.ok(fleetBytes <= 2 * (FLEET_SLOT_BYTES + 'fleet.0'.length));
    assert.ok(total - fleetBytes < 8 * 1024, `the sale's records and the log hold ${total - fleetBytes} bytes`);
    assert.ok(total < 8 * 1024 + 2 * FLEET_SLOT_BYTES, `the store holds ${total} bytes`);
    assert.ok(journal.salesLog().length >= 41);
  });

  it('reads a record of today\'s format back (a newer firmware must too)', () => {
    // Written by this version: if the format changes, keep this test and add an upgrade.
    const store = new MemoryStore({
      'queue.0': 'R1:1:1:8387eecc:{"n":2,"p":"vend-01","c":"NOK","q":[["x","~5-3d4e5f",4200,0]]}',
      'queue.1': 'R1:1:2:a309d4a4:{"n":2,"p":"vend-01","c":"NOK","q":[["x","~5-3d4e5f",4200,0],["c","other-9-aaaaaa",100,1,"EUR"]]}',
      'sale.0': 'R1:1:3:2102e488:{"n":3,"s":["vend-01-7-0a1b2c","water",2500,"NOK","create",1800000000]}',
      'sale.1': 'R1:1:4:69a567f6:{"n":3,"s":["vend-01-7-0a1b2c","water",2500,"NOK","capture",1800000000]}',
    });
    const journal = new SaleJournal(store, { posId: 'vend-01', currency: 'NOK' });
    assert.deepEqual(journal.openSale, { reference: 'vend-01-7-0a1b2c', product: 'water', amount: 2500, currency: 'NOK', phase: 'capture', time: 1_800_000_000 });
    assert.deepEqual(journal.queue.map((q) => [q.operation, q.reference, q.amount, q.currency, q.overdue]), [
      ['cancel', 'vend-01-5-3d4e5f', 4200, 'NOK', false],
      ['capture', 'other-9-aaaaaa', 100, 'EUR', true],
    ]);
    assert.equal(journal.nextCounter, 3);
    // The same machine with another posId still reads its old references whole.
    assert.equal(new SaleJournal(store, { posId: 'renamed', currency: 'DKK' }).queue[0].reference, 'vend-01-5-3d4e5f');
  });

  it('reads a version 2 record back: the release holds a unit, the stock record names the last counted sale and a fault', () => {
    // Written by this version (2): keep it when the format changes, and add an upgrade.
    const store = new MemoryStore({
      'sale.0': 'R1:2:5:98eb57fc:{"n":8,"s":["vend-01-7-0a1b2c","water",2500,"NOK","release",1800000000,1]}',
      'stock.0': 'R1:2:3:9105d77c:{"c":{"water":4,"cola":0},"o":{"cola":1,"gum":2},"a":"vend-01-6-9z8y7x"}',
    });
    const journal = new SaleJournal(store, { posId: 'vend-01', currency: 'NOK', stock: { water: 10, cola: 10, gum: 10 } });
    assert.deepEqual(journal.openSale, { reference: 'vend-01-7-0a1b2c', product: 'water', amount: 2500, currency: 'NOK', phase: 'release', time: 1_800_000_000, takesUnit: true });
    assert.equal(journal.stockOf('water'), 3, 'the open release holds one of the 4');
    assert.equal(journal.soldOutOverride('cola'), true);
    assert.equal(journal.productFault('gum'), 'sensor');
    assert.equal(journal.stockOf('gum'), 10, 'not in the counts: as configured');
    // Closing counts the unit once; a second journal on the same store (a reboot after a cut) does not count it again.
    journal.closeSale();
    assert.equal(new SaleJournal(store, { posId: 'vend-01', currency: 'NOK' }).stockOf('water'), 3);
  });

  it('a version 1 open sale takes no unit (that firmware counted stock in a write of its own)', () => {
    const store = new MemoryStore({ 'sale.1': 'R1:1:4:69a567f6:{"n":3,"s":["vend-01-7-0a1b2c","water",2500,"NOK","capture",1800000000]}' });
    const journal = new SaleJournal(store, { posId: 'vend-01', currency: 'NOK', stock: { water: 5 } });
    assert.equal(journal.openSale?.takesUnit, undefined);
    journal.closeSale();
    assert.equal(journal.stockOf('water'), 5);
  });

  it('a full queue takes the machine out of service; it comes back when the queue drains', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.machine.stop();
    const store = r.store;
    const journal = new SaleJournal(store, { posId: 'test-vend-01', currency: 'NOK' });
    // Sales begun a minute ago whose payments the service does not have (404): their creates may
    // still land, so each cancel stays until the create's window (8 s + the 600 s lifetime) has passed.
    const minuteAgo = Math.floor(r.clock.now() / 1000) - 60;
    for (let i = 0; i < MAX_QUEUE; i++) journal.enqueue({ ...item(i, 'cancel'), reference: `test-vend-01-${900 + i}-aaaaaa`, amount: 2500, time: minuteAgo });
    const full = rig({ from: r, store });
    await r.clock.advance(1_000);
    assert.equal((full.machine.view.sale as { reason?: string }).reason, 'queue-full');
    await r.clock.advance(500_000);
    assert.equal(full.machine.journal.queue.length, MAX_QUEUE, 'still pending inside the window');
    await runUntil(full, () => full.machine.view.sale.screen === 'idle', 100_000);
    assert.equal(full.machine.journal.queue.length, 0);
  });

  it('a cancel that keeps failing takes the machine out of service until it goes through', async () => {
    const r = rig({ prepare: (service) => service.script('cancel', ...Array.from({ length: 12 }, () => problem(503))) });
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'payment');
    r.machine.act({ type: 'cancel' });
    await runUntil(r, () => (r.machine.view.sale as { reason?: string }).reason === 'cancel-failing', 3_600_000, 1000);
    await runUntil(r, () => r.machine.view.sale.screen === 'idle', 6 * 3_600_000, 1000);
    assert.equal(r.machine.journal.queue.length, 0);
  });

  it('renews the token in the background: a create never waits for a renewal', async () => {
    const r = rig({ config: testMachineConfig() });
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    assert.equal(r.service.count('token'), 1);
    // Past the renewal point (55 minutes into the hour-long token).
    await r.clock.advance(56 * 60_000);
    assert.equal(r.service.count('token'), 2, 'renewed while idle');
    const before = r.service.requests.length;
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'payment');
    assert.deepEqual(r.service.requests.slice(before).map((q) => q.url.replace(/^https?:\/\/[^/]+/, '')), ['/epayment/v1/payments']);
  });
});
