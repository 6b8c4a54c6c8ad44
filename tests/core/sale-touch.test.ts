// The touch panel gone (issue 14, item 14): the machine is out of service with its own reason (E11)
// while the host's touch reader says the panel does not answer, and back in service when it
// does; a sale under way and the boot-time recovery go on without touch (Node and XS).
import assert from 'node:assert/strict';
import { OUT_OF_SERVICE_CODES } from 'app/sale/view';
import { currentReference, payment, rig, runUntil, until } from './sale-fixtures';

describe('touch gone', () => {
  it('is out of service (touch, E11) while the panel is gone and back in service when it returns', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.machine.setTouch(false);
    assert.deepEqual(r.machine.view.sale, { screen: 'out-of-service', reason: 'touch' });
    assert.equal(r.machine.status().inService, false);
    assert.equal(r.machine.status().outOfService, 'touch');
    assert.equal(OUT_OF_SERVICE_CODES.touch, 'E11');
    // A select that slipped through (e.g. from the console) starts nothing.
    r.machine.act({ type: 'select', product: 'water' });
    await r.clock.advance(1000);
    assert.equal(r.service.count('create'), 0);
    r.machine.setTouch(true);
    assert.equal(r.machine.view.sale.screen, 'idle');
    assert.equal(r.machine.status().inService, true);
    r.machine.stop();
  });

  it('lets a sale under way finish without touch, then goes out of service', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'payment');
    const reference = currentReference(r);
    r.machine.setTouch(false);
    assert.equal(r.machine.view.sale.screen, 'payment');
    r.service.setState(reference, 'AUTHORIZED');
    await until(r, 'thank-you');
    assert.deepEqual(r.pins.pulses.map((p) => p.pin), [26]);
    assert.equal(payment(r, reference).captured, 2500);
    await until(r, 'out-of-service');
    assert.equal(r.machine.status().outOfService, 'touch');
    r.machine.stop();
  });

  it('recovers an open sale at boot without touch, then shows the touch reason', async () => {
    const first = rig();
    await runUntil(first, () => first.machine.view.sale.screen === 'idle');
    first.machine.act({ type: 'select', product: 'water' });
    await until(first, 'payment');
    const reference = currentReference(first);
    first.machine.stop(); // the power goes with the QR up

    // The reboot finds no touch panel (the FT6206 constructor failed): told before start.
    const second = rig({ from: first, prepare: () => {} });
    second.machine.setTouch(false);
    await runUntil(second, () => second.machine.journal.openSale === undefined && second.machine.journal.queue.length === 0, 300_000);
    assert.equal(payment(second, reference).state, 'TERMINATED');
    assert.equal(second.machine.status().outOfService, 'touch');
    assert.equal(second.machine.view.sale.screen, 'out-of-service');
    second.machine.setTouch(true);
    assert.equal(second.machine.view.sale.screen, 'idle');
    second.machine.stop();
  });
});
