// A push from the fleet (down/payment) is a hint: the machine reads the payment at once and acts on
// the service's answer only. On the manual clock with the machine's normal poll timing (first read
// 5 s after the QR, then every 2 s), so "at once" is far from "at the next poll" (Node and XS).
import assert from 'node:assert/strict';
import { currentReference, payment, rig, runUntil, until, type Rig } from './sale-fixtures';

async function startSale(r: Rig): Promise<string> {
  await runUntil(r, () => r.machine.view.sale.screen === 'idle');
  r.machine.act({ type: 'select', product: 'water' });
  await until(r, 'payment');
  return currentReference(r);
}

describe('payment pushes', () => {
  it('a push after approval: one GET at once, then the release and the capture, long before the first poll', async () => {
    const r = rig();
    const reference = await startSale(r);
    const shownAt = r.clock.now();
    await r.clock.advance(1_000);
    assert.equal(r.service.count('get'), 0, 'the first regular read is not due yet');
    r.service.setState(reference, 'AUTHORIZED');
    r.machine.paymentPushed(reference, 'AUTHORIZED');
    await r.clock.advance(0);
    assert.equal(r.service.count('get'), 1, 'one GET at once');
    await until(r, 'thank-you');
    assert.equal(r.pins.pulses.length, 1);
    assert.ok(r.pins.pulses[0]!.at - shownAt < 1_500, `pulsed ${r.pins.pulses[0]!.at - shownAt} ms after the QR`);
    assert.equal(r.service.count('get'), 1, 'no other read');
    assert.equal(payment(r, reference).captured, 2500);
  });

  it('a push while the payment is still CREATED releases nothing; polling goes on at its pace and sees the approval', async () => {
    const r = rig();
    const reference = await startSale(r);
    await r.clock.advance(1_000);
    r.machine.paymentPushed(reference, 'AUTHORIZED');
    await r.clock.advance(0);
    assert.equal(r.service.count('get'), 1, 'the push was read');
    await r.clock.advance(1_999);
    assert.equal(r.pins.pulses.length, 0);
    assert.equal(r.machine.view.sale.screen, 'payment');
    assert.equal(r.service.count('get'), 1);
    await r.clock.advance(1);
    assert.equal(r.service.count('get'), 2, 'the next regular read, 2 s after the pushed one');
    r.service.setState(reference, 'AUTHORIZED');
    await until(r, 'thank-you');
    assert.equal(r.pins.pulses.length, 1);
  });

  it('a push for another reference, or with no sale open, reads nothing and is logged', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.machine.paymentPushed('test-vend-01-1-zzzzzz', 'AUTHORIZED');
    const reference = await startSale(r);
    r.service.setState(reference, 'AUTHORIZED');
    r.machine.paymentPushed(`${reference}x`, 'AUTHORIZED');
    await r.clock.advance(4_000);
    assert.equal(r.service.count('get'), 0);
    assert.equal(r.pins.pulses.length, 0);
    assert.equal(r.log.lines.filter((line) => line.includes('not the payment being polled')).length, 2);
    await until(r, 'thank-you');
    assert.equal(r.pins.pulses.length, 1, 'the poll released it at its own time');
  });

  it('a push after the final state was read is dropped: one release, one capture', async () => {
    const r = rig();
    const reference = await startSale(r);
    r.service.setState(reference, 'AUTHORIZED');
    await until(r, 'releasing');
    const reads = r.service.count('get');
    r.machine.paymentPushed(reference, 'AUTHORIZED');
    await until(r, 'thank-you');
    r.machine.paymentPushed(reference, 'AUTHORIZED');
    await r.clock.advance(10_000);
    assert.equal(r.service.count('get'), reads);
    assert.equal(r.pins.pulses.length, 1);
    assert.equal(r.service.count('capture'), 1);
  });
});
