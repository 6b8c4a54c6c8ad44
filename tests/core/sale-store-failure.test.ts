// A journal store that keeps failing (NVS full, a flash fault): the machine acts on what it holds
// in memory (cancel, capture, retry), goes out of service with the store's error (E10), starts no
// new sale, and a reboot on a failing store still recovers everything it can.
import assert from 'node:assert/strict';
import { MemoryStore } from 'journal/memory-store';
import { SALE_NEEDS_BYTES, SaleJournal } from 'app/sale/journal';
import { OUT_OF_SERVICE_CODES } from 'app/sale/view';
import { FailingStore } from '../support/failing-store';
import { PowerCutStore } from '../support/power-cut-store';
import { problem } from './epayment-fakes';
import { payment, rig, runUntil, testMachineConfig, until, type Rig } from './sale-fixtures';

const reasonOf = (r: Rig) => r.machine.status().outOfService;

/** Nothing reserved, nothing payable, nothing queued or open: every payment settled under the rules. */
function assertSettled(r: Rig, label: string): void {
  for (const p of r.service.payments.values()) {
    const reserved = p.state === 'AUTHORIZED' ? p.amount.value - p.captured - p.cancelled : 0;
    assert.equal(reserved, 0, `${label}: ${p.reference} ${p.state} with ${reserved} reserved`);
    assert.notEqual(p.state, 'CREATED', `${label}: ${p.reference} still payable`);
    if (p.captured > 0) assert.equal(r.pins.pulses.length, 1, `${label}: captured without a release`);
  }
  assert.equal(r.machine.journal.queue.length, 0, `${label}: left in the queue`);
  assert.equal(r.machine.journal.openSale, undefined, `${label}: left open`);
}

describe('a journal store that fails', () => {
  for (const product of ['water', 'cola'] as const) {
    it(`${product}: fails from write N on, for every write of the sale: money rules, out of service E10, no new sale`, async () => {
      let reached = 0;
      for (let n = 1; n <= 9; n++) {
        const store = new FailingStore(new MemoryStore());
        const r = rig({ store });
        await runUntil(r, () => r.machine.view.sale.screen === 'idle');
        store.failWritesFrom(n);
        r.machine.act({ type: 'select', product });
        for (let t = 0; t < 120; t++) {
          await r.clock.advance(500);
          const reference = (r.machine.view.sale as { reference?: string }).reference;
          if (reference && r.service.payments.get(reference)?.state === 'CREATED') r.service.setState(reference, 'AUTHORIZED');
        }
        const label = `${product}, failing from write ${n}`;
        if (!store.failing) continue;
        reached++;
        assertSettled(r, label);
        assert.equal(reasonOf(r), 'journal', `${label}: ${JSON.stringify(r.machine.status())}`);
        assert.match(r.machine.status().detail ?? '', /flash write error/);
        assert.equal(r.machine.view.sale.screen, 'out-of-service');
        const payments = r.service.payments.size;
        r.machine.act({ type: 'select', product: 'water' });
        await r.clock.advance(5_000);
        assert.equal(r.service.payments.size, payments, `${label}: a new sale started on a failing store`);
        // The store comes back: the journal is written again from memory and the machine sells.
        store.heal();
        await runUntil(r, () => r.machine.status().inService, 60_000);
        r.machine.stop();
        const rebooted = rig({ from: r, store: store.inner });
        await runUntil(rebooted, () => rebooted.machine.status().inService && rebooted.machine.journal.queue.length === 0, 60_000);
        assert.equal(rebooted.machine.journal.openSale, undefined, `${label}: the healed flash holds what memory held`);
      }
      assert.ok(reached >= 5, `only ${reached} write positions reached`);
    });
  }

  it('a reboot on a store that refuses every write: the delivered sale is still captured; out of service, not "recovering" for ever', async () => {
    // First life: the capture fails, and the power goes at the write that would queue it: the flash says phase capture.
    const flash = new MemoryStore();
    const cut = new PowerCutStore(flash);
    const r = rig({ store: cut });
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'payment');
    const reference = (r.machine.view.sale as { reference: string }).reference;
    r.service.script('capture', ...Array.from({ length: 4 }, () => problem(503)));
    cut.onCut = () => r.machine.stop();
    // Writes from here: release, capture, then the log entry of the queued capture: cut before that one.
    cut.cutAtWrite(3, 'before');
    r.service.setState(reference, 'AUTHORIZED');
    await runUntil(r, () => cut.isDead, 60_000);
    assert.equal(new SaleJournal(flash).openSale?.phase, 'capture');
    assert.equal(payment(r, reference).captured, 0);
    // Second life on a store that refuses every write.
    const store = new FailingStore(flash);
    store.failWritesFrom(1);
    const rebooted = rig({ from: r, store });
    await runUntil(rebooted, () => payment(rebooted, reference).captured === 2500, 600_000);
    assert.equal(reasonOf(rebooted), 'journal');
    assert.equal(rebooted.machine.view.sale.screen, 'out-of-service');
    assert.equal(rebooted.machine.journal.queue.length, 0, 'settled in memory');
  });

  it('reads that fail at boot: out of service until the store answers, then the open sale is recovered', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'payment');
    const reference = (r.machine.view.sale as { reference: string }).reference;
    r.machine.stop();
    const store = new FailingStore(r.store);
    store.failReads(true);
    const rebooted = rig({ from: r, store });
    await rebooted.clock.advance(5_000);
    assert.equal(reasonOf(rebooted), 'journal');
    assert.match(rebooted.machine.status().detail ?? '', /read (sale|queue|stock): flash read error/);
    rebooted.machine.act({ type: 'select', product: 'water' });
    await rebooted.clock.advance(2_000);
    assert.equal(rebooted.service.payments.size, 1, 'no sale on a journal it could not read');
    store.heal();
    await runUntil(rebooted, () => rebooted.machine.status().inService && rebooted.machine.journal.queue.length === 0, 120_000);
    assert.equal(payment(rebooted, reference).state, 'TERMINATED');
  });

  it('checks free space at boot and before each sale against what a sale needs', async () => {
    const small = new MemoryStore({}, SALE_NEEDS_BYTES - 1);
    const r = rig({ store: small });
    await r.clock.advance(2_000);
    assert.equal(reasonOf(r), 'journal');
    assert.match(r.machine.status().detail ?? '', /store full/);
    assert.equal(OUT_OF_SERVICE_CODES.journal, 'E10');

    const store = new MemoryStore({}, 3 * SALE_NEEDS_BYTES);
    const ok = rig({ store, config: testMachineConfig() });
    await runUntil(ok, () => ok.machine.status().inService);
    // Something else (the secrets, the provisioned configuration) fills the partition.
    for (let i = 0; i < 3; i++) store.set(`other.${i}`, 'x'.repeat(3000));
    ok.machine.act({ type: 'select', product: 'water' });
    await ok.clock.advance(2_000);
    assert.equal(ok.service.payments.size, 0, 'no sale that the store could not journal');
    assert.equal(reasonOf(ok), 'journal');
    for (let i = 0; i < 3; i++) store.delete(`other.${i}`);
    await runUntil(ok, () => ok.machine.status().inService, 120_000);
    assert.equal(new SaleJournal(store).failure, undefined);
  });
});
