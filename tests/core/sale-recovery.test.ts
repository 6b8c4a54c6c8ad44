// Power cuts at every journal write of a sale, each way a write can end (before, lost, torn,
// after), then a reboot from the same store: recovery must finish the sale under the money rules.
import assert from 'node:assert/strict';
import { EpaymentClient } from 'epayment/client';
import { MemoryStore } from 'journal/memory-store';
import { VendingMachine } from 'app/sale/machine';
import { CUT_KINDS, PowerCutStore } from '../support/power-cut-store';
import { FakeService, RecordingLog, testConfig } from './epayment-fakes';
import { ManualClock } from '../support/manual-clock';
import { CountingRandom, FakePins, MortalTransport, rig, runUntil, testMachineConfig, TestSecrets } from './sale-fixtures';

type Outcome = 'approve' | 'cancel-button' | 'no-drop';

async function cutSale(cutAt: number, how: (typeof CUT_KINDS)[number], outcome: Outcome) {
  const clock = new ManualClock();
  const service = new FakeService(clock);
  const flash = new MemoryStore();
  const store = new PowerCutStore(flash);
  const transport = new MortalTransport(service);
  const pins = new FakePins(clock);
  if (outcome === 'no-drop') pins.drops.set(35, false);
  const machine = new VendingMachine({
    config: testMachineConfig(),
    api: new EpaymentClient(testConfig(), transport, clock),
    store,
    clock,
    random: new CountingRandom(),
    pins,
    secrets: new TestSecrets(),
    log: new RecordingLog(),
  });
  // The journal never throws: what dies with the store is the machine's I/O, at that instant.
  store.onCut = () => {
    transport.dead = true;
    pins.failPulse = true;
    machine.stop();
  };
  machine.start();
  await runUntil({ clock } as never, () => machine.view.sale.screen === 'idle', 10_000);
  store.cutAtWrite(cutAt, how);
  const product = outcome === 'no-drop' ? 'cola' : 'water';
  machine.act({ type: 'select', product });
  // Let the sale run; once the store is dead, the machine is: silence its I/O.
  let reference: string | undefined;
  for (let t = 0; t < 120 && !store.isDead; t++) {
    await clock.advance(500);
    const sale = machine.view.sale as { reference?: string; screen: string };
    if (sale.reference && !reference) {
      reference = sale.reference;
      if (outcome === 'cancel-button') machine.act({ type: 'cancel' });
      else service.setState(reference, 'AUTHORIZED');
    }
    if (sale.screen === 'idle' && reference) break;
  }
  const cut = store.isDead;
  transport.dead = true;
  pins.failPulse = true;
  const pulsedBeforeCut = pins.pulses.length;
  machine.stop();
  // Reboot on what the flash held.
  const reboot = rig({ from: { clock, service, store: flash, secrets: new TestSecrets() } as never, store: flash });
  await runUntil(reboot, () => reboot.machine.journal.queue.length === 0 && reboot.machine.journal.openSale === undefined && reboot.machine.status().inService, 3_600_000, 1000);
  return { service, cut, pulsedBeforeCut, reboot };
}

describe('recovery after a power cut at every journal write', () => {
  for (const outcome of ['approve', 'cancel-button', 'no-drop'] as const) {
    for (const how of CUT_KINDS) {
      it(`${outcome}, cut ${how} each write`, async () => {
        let cuts = 0;
        for (let n = 1; n <= 9; n++) {
          const { service, cut, pulsedBeforeCut, reboot } = await cutSale(n, how, outcome);
          if (!cut) break;
          cuts++;
          for (const p of service.payments.values()) {
            const label = `${outcome} ${how} @${n} ${p.reference}`;
            const authorized = p.state === 'AUTHORIZED' ? p.amount.value : 0;
            assert.ok(p.captured <= p.amount.value, `${label}: captured ${p.captured} twice?`);
            if (p.captured > 0) assert.ok(pulsedBeforeCut > 0, `${label}: captured without a release`);
            assert.ok(authorized - p.captured - p.cancelled <= 0, `${label}: ${authorized - p.captured - p.cancelled} left reserved`);
            if (outcome !== 'approve') assert.equal(p.captured, 0, `${label}: nothing was delivered, nothing may be captured`);
          }
          // The machine sells again after recovery.
          assert.equal(reboot.machine.status().inService, true, JSON.stringify(reboot.machine.status()));
        }
        assert.ok(cuts >= 2, `only ${cuts} cut positions reached`);
      });
    }
  }
});

describe('recovery cut by power too', () => {
  it('a cut during recovery is resumed at the next boot, under the same rules', async () => {
    let checked = 0;
    for (const how of CUT_KINDS) {
      for (let saleCut = 2; saleCut <= 5; saleCut++) {
        for (let recoveryCut = 1; recoveryCut <= 3; recoveryCut++) {
          const clock = new ManualClock();
          const service = new FakeService(clock);
          const flash = new MemoryStore();
          const boot = (store: PowerCutStore, transport: MortalTransport, pins: FakePins) => {
            const machine = new VendingMachine({ config: testMachineConfig(), api: new EpaymentClient(testConfig(), transport, clock), store, clock, random: new CountingRandom(), pins, secrets: new TestSecrets(), log: new RecordingLog() });
            return machine;
          };
          // First life: a sale, cut at write `saleCut`.
          const store1 = new PowerCutStore(flash);
          const transport1 = new MortalTransport(service);
          const pins1 = new FakePins(clock);
          const first = boot(store1, transport1, pins1);
          store1.onCut = () => {
            transport1.dead = true;
            pins1.failPulse = true;
            first.stop();
          };
          first.start();
          await runUntil({ clock } as never, () => first.view.sale.screen === 'idle', 10_000);
          store1.cutAtWrite(saleCut, how);
          first.act({ type: 'select', product: 'water' });
          for (let t = 0; t < 60 && !store1.isDead; t++) {
            await clock.advance(500);
            const reference = (first.view.sale as { reference?: string }).reference;
            if (reference && service.payments.get(reference)?.state === 'CREATED') service.setState(reference, 'AUTHORIZED');
          }
          transport1.dead = true;
          pins1.failPulse = true;
          first.stop();
          if (!store1.isDead) continue;
          // Second life: recovery, cut at its write `recoveryCut`.
          const store2 = new PowerCutStore(flash);
          store2.cutAtWrite(recoveryCut, how);
          const transport2 = new MortalTransport(service);
          const second = boot(store2, transport2, new FakePins(clock));
          store2.onCut = () => {
            transport2.dead = true;
            second.stop();
          };
          try {
            second.start();
            for (let t = 0; t < 20 && !store2.isDead; t++) await clock.advance(500);
          } catch {
            // The cut hit start() itself.
          }
          transport2.dead = true;
          second.stop();
          // Third life: must finish.
          const third = rig({ from: { clock, service, secrets: new TestSecrets() } as never, store: flash });
          await runUntil(third, () => third.machine.journal.queue.length === 0 && third.machine.journal.openSale === undefined && third.machine.status().inService, 3_600_000, 1000);
          for (const p of service.payments.values()) {
            const authorized = p.state === 'AUTHORIZED' ? p.amount.value : 0;
            const label = `${how} sale@${saleCut} recovery@${recoveryCut}`;
            assert.ok(p.captured <= p.amount.value, `${label}: two captures`);
            if (p.captured > 0) assert.ok(pins1.pulses.length > 0, `${label}: captured without a release`);
            assert.ok(authorized - p.captured - p.cancelled <= 0, `${label}: left reserved`);
          }
          checked++;
        }
      }
    }
    assert.ok(checked >= 20, `${checked} double cuts checked`);
  });
});
