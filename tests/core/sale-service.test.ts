// Service mode: PIN with lock-out, test-fire, restock, sold-out, status, log, refund, PIN change.
import assert from 'node:assert/strict';
import type { Action } from 'app/sale/view';
import { checkPin } from 'app/sale/service-mode';
import { currentReference, payment, rig, runUntil, TEST_PIN, until, type Rig } from './sale-fixtures';

function typePin(r: Rig, pin: string): void {
  for (const digit of pin) r.machine.act({ type: 'pin-digit', digit: Number(digit) });
  r.machine.act({ type: 'pin-enter' });
}

async function enterService(r: Rig): Promise<void> {
  await runUntil(r, () => r.machine.view.sale.screen === 'idle');
  r.machine.act({ type: 'service' });
  typePin(r, TEST_PIN);
  assert.equal(r.machine.view.sale.screen, 'service-menu');
}

describe('service mode', () => {
  it('asks for the PIN; three wrong tries lock it for a while; the digits are never in the view or the log', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.machine.act({ type: 'service' });
    assert.equal(r.machine.view.sale.screen, 'service-pin');
    r.machine.act({ type: 'pin-digit', digit: 9 });
    assert.deepEqual(r.machine.view.sale, { screen: 'service-pin', digits: 1, wrong: false });
    r.machine.act({ type: 'pin-clear' });
    for (let i = 0; i < 3; i++) typePin(r, '999999');
    const locked = r.machine.view.sale as { lockedUntil?: number };
    assert.ok(locked.lockedUntil !== undefined && locked.lockedUntil > r.clock.now());
    typePin(r, TEST_PIN);
    assert.equal(r.machine.view.sale.screen as string, 'service-pin', 'locked: even the right PIN is refused');
    await r.clock.advance(5 * 60_000);
    // Meanwhile the idle timeout has left service mode; the lock has passed.
    assert.equal(r.machine.view.sale.screen as string, 'idle');
    r.machine.act({ type: 'service' });
    typePin(r, TEST_PIN);
    assert.equal(r.machine.view.sale.screen as string, 'service-menu');
    assert.ok(!JSON.stringify(r.log.lines).includes(TEST_PIN));
    assert.ok(!JSON.stringify(r.machine.view).includes(TEST_PIN));
  });

  it('test-fires an output and logs it', async () => {
    const r = rig();
    await enterService(r);
    r.machine.act({ type: 'menu', item: 'outputs' });
    r.machine.act({ type: 'fire', product: 'cola' });
    await r.clock.advance(1_000);
    assert.deepEqual(r.pins.pulses.map((p) => [p.pin, p.durationMs]), [[27, 300]]);
    assert.equal(r.machine.journal.salesLog().at(-1)?.outcome, 'test-fire');
  });

  it('restocks, and marks a product sold out and back', async () => {
    const r = rig();
    await enterService(r);
    r.machine.act({ type: 'menu', item: 'restock' });
    r.machine.act({ type: 'restock', product: 'water', delta: 5 });
    assert.equal(r.machine.journal.stockOf('water'), 8);
    r.machine.act({ type: 'toggle-sold-out', product: 'cola' });
    assert.equal(r.machine.view.products.find((p) => p.id === 'cola')?.soldOut, true);
    r.machine.act({ type: 'toggle-sold-out', product: 'cola' });
    assert.equal(r.machine.view.products.find((p) => p.id === 'cola')?.soldOut, false);
    // Kept across a reboot.
    const again = rig({ from: r });
    assert.equal(again.machine.journal.stockOf('water'), 8);
  });

  it('shows status with every secret masked, and pending items', async () => {
    const r = rig();
    await enterService(r);
    r.machine.act({ type: 'menu', item: 'status' });
    const view = r.machine.view.sale;
    assert.equal(view.screen, 'service-status');
    const text = JSON.stringify(view);
    assert.ok(!text.includes('SECRET'), 'no secret on the status screen');
    assert.ok(text.includes('client secret: ****'));
  });

  it('shows the NTP server that set the clock on the status screen', async () => {
    const r = rig();
    r.machine.setTimeServer('1.pool.ntp.org');
    await enterService(r);
    r.machine.act({ type: 'menu', item: 'status' });
    const view = r.machine.view.sale as { screen: string; status: { timeServer?: string } };
    assert.equal(view.screen, 'service-status');
    assert.equal(view.status.timeServer, '1.pool.ntp.org');
    r.machine.setTimeServer('3.pool.ntp.org');
    assert.equal((r.machine.view.sale as typeof view).status.timeServer, '3.pool.ntp.org');
  });

  it('refunds a captured sale from the log, journalled and once', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'payment');
    const reference = currentReference(r);
    r.service.setState(reference, 'AUTHORIZED');
    await until(r, 'thank-you', 30_000);
    await until(r, 'idle', 30_000);
    await enterService(r);
    r.machine.act({ type: 'menu', item: 'refund' });
    const refund = r.machine.view.sale as { candidates: { reference: string }[] };
    assert.deepEqual(refund.candidates.map((c) => c.reference), [reference]);
    r.machine.act({ type: 'refund', reference });
    r.machine.act({ type: 'refund', reference });
    await runUntil(r, () => (r.machine.view.sale as { result?: string }).result === 'refunded', 60_000);
    assert.equal(payment(r, reference).refunded, 2500);
    assert.equal(r.service.count('refund'), 1);
    assert.equal(r.machine.journal.salesLog().at(-1)?.outcome, 'refunded');
  });

  it('changes the PIN: six digits at least, typed twice', async () => {
    const r = rig();
    await enterService(r);
    r.machine.act({ type: 'menu', item: 'pin' });
    const enter = (pin: string) => typePin(r, pin);
    enter('123');
    assert.equal((r.machine.view.sale as { result?: string }).result, 'too-short');
    enter('135791');
    enter('135790');
    assert.equal((r.machine.view.sale as { result?: string }).result, 'mismatch');
    enter('135791');
    enter('135791');
    assert.equal((r.machine.view.sale as { result?: string }).result, 'changed');
    assert.ok(checkPin('135791', r.secrets.pinHash()));
    assert.ok(!checkPin(TEST_PIN, r.secrets.pinHash()));
    assert.match(r.secrets.pinHash()!, /^[0-9a-f]{16}:[0-9a-f]{64}$/);
  });

  it('leaving returns to idle; a long press during a sale does nothing', async () => {
    const r = rig();
    await enterService(r);
    const back: Action = { type: 'menu', item: 'exit' };
    r.machine.act(back);
    assert.equal(r.machine.view.sale.screen, 'idle');
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'payment');
    r.machine.act({ type: 'service' });
    assert.equal(r.machine.view.sale.screen, 'payment');
  });
});
