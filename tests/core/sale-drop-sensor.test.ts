// A level drop sensor that already reads active (a product stuck in the beam) cannot tell a drop:
// the product goes out of sale, journalled, nothing is released, and the payment is cancelled.
import assert from 'node:assert/strict';
import { currentReference, payment, rig, runUntil, testMachineConfig, TEST_PIN, until, type Rig } from './sale-fixtures';

const SENSOR_PIN = 35;

/** The test machine with cola's sensor in level mode. */
function levelConfig(): Record<string, unknown> {
  const config = testMachineConfig();
  const catalog = (config.catalog as Record<string, unknown>[]).map((product) => (product.id === 'cola' ? { ...product, dropSensor: { pin: SENSOR_PIN, timeoutMs: 2000, mode: 'level', activeLow: true } } : product));
  return { ...config, catalog };
}

const cola = (r: Rig) => r.machine.view.products.find((product) => product.id === 'cola')!;

async function startSale(r: Rig, product: string): Promise<string> {
  await runUntil(r, () => r.machine.view.sale.screen === 'idle');
  r.machine.act({ type: 'select', product });
  await until(r, 'payment');
  return currentReference(r);
}

describe('drop sensor stuck active', () => {
  it('a level sensor that reads inactive, then the drop, sells as usual', async () => {
    const r = rig({ config: levelConfig() });
    const reference = await startSale(r, 'cola');
    r.service.setState(reference, 'AUTHORIZED');
    await until(r, 'thank-you');
    assert.equal(payment(r, reference).captured, 4200);
    assert.equal(cola(r).fault, undefined);
  });

  it('stuck when the customer pays: nothing released, the payment cancelled, the product out of sale', async () => {
    const r = rig({ config: levelConfig() });
    const reference = await startSale(r, 'cola');
    // A product from an earlier release jams in the beam while this customer pays.
    r.pins.stuck.add(SENSOR_PIN);
    r.service.setState(reference, 'AUTHORIZED');
    await until(r, 'not-charged', 60_000);
    assert.equal(r.pins.pulses.length, 0, 'no pulse: the sensor could not confirm a drop');
    assert.equal(payment(r, reference).captured, 0);
    assert.equal(payment(r, reference).cancelled, 4200);
    assert.equal(cola(r).fault, 'sensor');
    assert.equal(cola(r).soldOut, true);
    await until(r, 'idle');
    assert.equal(r.machine.status().inService, true, 'water still sells');
  });

  it('stuck at the tap: no payment is made; the fault survives a reboot; service mode clears it', async () => {
    const r = rig({ config: levelConfig() });
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.pins.stuck.add(SENSOR_PIN);
    r.machine.act({ type: 'select', product: 'cola' });
    await r.clock.advance(5_000);
    assert.equal(r.service.payments.size, 0, 'no payment for a product whose sensor reads a drop already');
    assert.equal(r.pins.pulses.length, 0);
    assert.equal(cola(r).fault, 'sensor');
    r.machine.stop();

    const again = rig({ from: r, config: levelConfig() });
    await runUntil(again, () => again.machine.view.sale.screen === 'idle');
    assert.equal(cola(again).fault, 'sensor', 'journalled: a reboot does not sell it again');
    again.machine.act({ type: 'select', product: 'cola' });
    await again.clock.advance(5_000);
    assert.equal(again.service.payments.size, 0);

    // The operator clears the beam and presses the product's fault button in service mode.
    again.machine.act({ type: 'service' });
    for (const digit of TEST_PIN) again.machine.act({ type: 'pin-digit', digit: Number(digit) });
    again.machine.act({ type: 'pin-enter' });
    again.machine.act({ type: 'menu', item: 'restock' });
    assert.equal((again.machine.view.products.find((p) => p.id === 'cola'))!.fault, 'sensor', 'service mode shows the fault');
    again.machine.act({ type: 'toggle-sold-out', product: 'cola' });
    assert.equal(cola(again).fault, undefined);
    assert.equal(cola(again).soldOut, false);
    again.machine.act({ type: 'back' });
    again.machine.act({ type: 'back' });
    again.pins.stuck.delete(SENSOR_PIN);
    const reference = await startSale(again, 'cola');
    again.service.setState(reference, 'AUTHORIZED');
    await until(again, 'thank-you');
  });
});
