// The sale, path by path, on the manual clock against the in-memory service (Node and XS).
import assert from 'node:assert/strict';
import { TransportError } from 'epayment/errors';
import { json, problem } from './epayment-fakes';
import { currentReference, payment, rig, runUntil, testMachineConfig, until, type Rig } from './sale-fixtures';

async function startSale(r: Rig, product = 'water'): Promise<string> {
  await runUntil(r, () => r.machine.view.sale.screen === 'idle');
  r.machine.act({ type: 'select', product });
  await until(r, 'payment');
  return currentReference(r);
}

function approve(r: Rig, reference: string): void {
  r.service.setState(reference, 'AUTHORIZED');
}

describe('sale controller', () => {
  it('sells: create, QR, authorized, pulse, capture, thank-you, in at most 8 journal writes', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    const writesBefore = r.machine.journal.writes;
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'payment');
    const reference = currentReference(r);
    assert.match(reference, /^test-vend-01-1-[0-9a-z]{6}$/);
    const create = JSON.parse(r.service.of('create')[0].body!);
    assert.equal(create.userFlow, 'QR');
    assert.equal(create.customerInteraction, 'CUSTOMER_PRESENT');
    assert.deepEqual(create.qrFormat, { format: 'TEXT/TARGETURL' });
    assert.equal(create.receipt.bottomLine.posId, 'test-vend-01');
    assert.equal(create.receipt.orderLines[0].totalTaxAmount, 500);
    assert.equal(create.receipt.orderLines[0].totalAmountExcludingTax, 2000);
    assert.equal(r.pins.pulses.length, 0);
    approve(r, reference);
    await until(r, 'thank-you');
    assert.deepEqual(r.pins.pulses.map((p) => p.pin), [26]);
    assert.equal(payment(r, reference).captured, 2500);
    assert.equal(r.machine.journal.openSale, undefined);
    assert.equal(r.machine.journal.queue.length, 0);
    const writes = r.machine.journal.writes - writesBefore;
    assert.ok(writes <= 8, `${writes} journal writes`);
    assert.equal(r.machine.journal.salesLog().at(-1)?.outcome, 'captured');
    assert.equal(r.machine.journal.stockOf('water'), 2);
    await until(r, 'idle');
  });

  it('never pulses before AUTHORIZED is read, and never on an error or an odd answer', async () => {
    const r = rig();
    const reference = await startSale(r);
    r.service.script('get', new TransportError('timeout', 'x'), { status: 200, headers: {}, body: '{"state":"AUTHO' }, problem(500), problem(429));
    await r.clock.advance(30_000);
    assert.equal(r.pins.pulses.length, 0);
    assert.equal(r.machine.view.sale.screen, 'payment');
    approve(r, reference);
    await until(r, 'thank-you');
    assert.equal(r.pins.pulses.length, 1);
  });

  it('an answer of the wrong shape ends the sale unpaid: cancelled, never released', async () => {
    const r = rig();
    const reference = await startSale(r);
    r.service.script('get', json(200, { reference, state: 'AUTHORIZED' }));
    // The first cancel fails, so the customer's approval lands before the retried one.
    r.service.script('cancel', problem(503), problem(503), problem(503), problem(503));
    await until(r, 'error', 30_000);
    assert.equal((r.machine.view.sale as { charged: string }).charged, 'unknown');
    approve(r, reference);
    await runUntil(r, () => r.machine.journal.queue.length === 0, 120_000);
    assert.equal(payment(r, reference).cancelled, 2500);
    assert.equal(r.pins.pulses.length, 0);
  });

  it('Cancel before authorization: a full cancel, TERMINATED, nothing pulsed', async () => {
    const r = rig();
    const reference = await startSale(r);
    r.machine.act({ type: 'cancel' });
    await until(r, 'cancelled');
    assert.equal(payment(r, reference).state, 'TERMINATED');
    const cancel = JSON.parse(r.service.of('cancel')[0].body!);
    assert.equal(cancel.cancelTransactionOnly, false);
    assert.equal(r.pins.pulses.length, 0);
    assert.equal(r.machine.journal.openSale, undefined);
  });

  it('Cancel answered 423: finish in the app; an approval then is cancelled, not released', async () => {
    const r = rig();
    const reference = await startSale(r);
    r.service.script('cancel', problem(423, '6250'));
    r.machine.act({ type: 'cancel' });
    await until(r, 'finish-in-app');
    approve(r, reference);
    await until(r, 'cancelled');
    const p = payment(r, reference);
    assert.equal(p.cancelled, 2500);
    assert.equal(p.captured, 0);
    assert.equal(r.pins.pulses.length, 0);
  });

  it('walks away: cancel with cancelTransactionOnly; TERMINATED', async () => {
    const r = rig();
    const reference = await startSale(r);
    await until(r, 'expired', 200_000);
    const cancel = JSON.parse(r.service.of('cancel')[0].body!);
    assert.equal(cancel.cancelTransactionOnly, true);
    assert.equal(payment(r, reference).state, 'TERMINATED');
    assert.equal(r.pins.pulses.length, 0);
  });

  it('walk-away answered 6060: the customer just paid, so the sale goes on', async () => {
    const r = rig();
    const reference = await startSale(r);
    await r.clock.advance(119_000);
    approve(r, reference);
    // The read at 120 s may still see CREATED; the cancel then meets the authorized payment.
    r.service.script('get', json(200, { ...r.service.view({ ...payment(r, reference), state: 'CREATED' }) }));
    await until(r, 'thank-you', 60_000);
    assert.equal(payment(r, reference).captured, 2500);
    assert.equal(payment(r, reference).cancelled, 0);
    assert.equal(r.pins.pulses.length, 1);
  });

  it('walk-away answered 423: keeps the QR and waits for the customer in the app', async () => {
    const r = rig();
    const reference = await startSale(r);
    r.service.script('cancel', problem(423, '6250'));
    await r.clock.advance(125_000);
    assert.equal(r.machine.view.sale.screen, 'payment');
    approve(r, reference);
    await until(r, 'thank-you', 30_000);
    assert.equal(payment(r, reference).captured, 2500);
  });

  it('a create that times out but reached the service is cancelled once it settles', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    // The service creates the payment but the answer comes too late.
    r.service.script('create', async (request) => {
      const body = JSON.parse(request.body!);
      r.service.payments.set(body.reference, { reference: body.reference, state: 'CREATED', amount: body.amount, captured: 0, cancelled: 0, refunded: 0 });
      await new Promise<void>((resolve) => r.clock.setTimeout(resolve, 9_000));
      return json(201, { reference: body.reference, redirectUrl: 'https://landing.example.test/x' });
    });
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'error', 20_000);
    const reference = currentReference(r);
    // The create gives up at its deadline too, so the cancel may already have gone through: "not
    // charged" only with the service's record saying so.
    const charged = (r.machine.view.sale as { charged: string }).charged;
    assert.ok(charged === 'unknown' || (charged === 'no' && payment(r, reference).state === 'TERMINATED'), charged);
    await runUntil(r, () => r.machine.journal.queue.length === 0, 60_000);
    assert.equal(payment(r, reference).state, 'TERMINATED');
    assert.equal(r.pins.pulses.length, 0);
    // The screen says "not charged" only once the service's record says so.
    assert.ok(['error', 'idle'].includes(r.machine.view.sale.screen));
  });

  it('a create answered 409 (someone else\'s reference) touches nothing', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.service.script('create', problem(409, '4010'));
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'error');
    await r.clock.advance(60_000);
    assert.equal(r.service.count('cancel'), 0);
    assert.equal(r.machine.journal.queue.length, 0);
  });

  it('a failed release (no drop seen) cancels; not charged once confirmed; never captured', async () => {
    const r = rig();
    r.pins.drops.set(35, false);
    const reference = await startSale(r, 'cola');
    approve(r, reference);
    await until(r, 'reversing', 30_000);
    await until(r, 'not-charged', 30_000);
    const p = payment(r, reference);
    assert.equal(p.captured, 0);
    assert.equal(p.cancelled, 4200);
    assert.equal(r.service.count('capture'), 0);
  });

  it('an output that reports an error cancels the payment', async () => {
    const r = rig();
    r.pins.failPulse = true;
    const reference = await startSale(r);
    approve(r, reference);
    await until(r, 'not-charged', 60_000);
    assert.equal(payment(r, reference).captured, 0);
  });

  it('a capture that fails for hours is retried with the same key until it succeeds; new sales go on', async () => {
    const r = rig();
    const reference = await startSale(r);
    const failures = Array.from({ length: 40 }, () => problem(503));
    r.service.script('capture', ...failures);
    approve(r, reference);
    await until(r, 'thank-you', 30_000);
    assert.equal(r.machine.journal.queue.length, 1);
    assert.equal(r.machine.journal.salesLog().at(-1)?.outcome, 'capture-pending');
    // A new sale meanwhile.
    await until(r, 'idle', 30_000);
    const second = await startSale(r, 'cola');
    approve(r, second);
    await runUntil(r, () => payment(r, reference).captured === 2500 && r.machine.journal.queue.length === 0, 6 * 3600_000, 1000);
    const keys = new Set(r.service.of('capture').filter((q) => q.url.includes(reference)).map((q) => q.headers['Idempotency-Key']));
    assert.equal(keys.size, 1);
    assert.equal(payment(r, reference).captured, 2500);
    assert.equal(r.machine.journal.salesLog().find((e) => e.reference === reference)?.outcome, 'captured');
  });

  it('a capture refused with 6260 is overdue: slowed to hourly, reported, still retried', async () => {
    const r = rig();
    const reference = await startSale(r);
    r.service.script('capture', problem(400, '6260'), problem(400, '6260'), problem(400, '6260'));
    approve(r, reference);
    await until(r, 'thank-you', 30_000);
    await r.clock.advance(60_000);
    assert.equal(r.machine.journal.queue[0]?.overdue, true);
    assert.equal(r.machine.journal.salesLog().at(-1)?.outcome, 'capture-overdue');
    const before = r.service.count('capture');
    await r.clock.advance(30 * 60_000);
    assert.equal(r.service.count('capture'), before, 'no retry within the hour');
    await runUntil(r, () => payment(r, reference).captured === 2500, 4 * 3600_000, 10_000);
    assert.equal(r.service.count('cancel'), 0, 'a released product is never followed by a cancel');
  });

  it('a poll that keeps failing ends the sale and queues a full cancel; a late approval is released back', async () => {
    const r = rig({ config: testMachineConfig({ walkAwayTimeoutSeconds: 600 }) });
    const reference = await startSale(r);
    r.service.script('get', ...Array.from({ length: 400 }, () => new TransportError('network', 'down')));
    r.service.script('cancel', problem(503), problem(503), problem(503), problem(503));
    await until(r, 'error', 800_000, 1000);
    assert.equal((r.machine.view.sale as { charged: string }).charged, 'unknown');
    approve(r, reference);
    await runUntil(r, () => r.machine.journal.queue.length === 0, 600_000, 1000);
    assert.equal(payment(r, reference).cancelled, 2500);
    assert.equal(r.pins.pulses.length, 0);
  });

  it('the customer authorizing at the instant the machine cancels: nothing charged, nothing released', async () => {
    const r = rig();
    const reference = await startSale(r);
    r.service.script('cancel', (request) => {
      // The approval lands first; the full cancel then releases the reservation.
      approve(r, reference);
      return r.service.request({ ...request });
    });
    r.machine.act({ type: 'cancel' });
    await until(r, 'cancelled', 30_000);
    const p = payment(r, reference);
    assert.equal(p.captured, 0);
    assert.equal(p.cancelled, 2500);
    assert.equal(r.pins.pulses.length, 0);
  });

  it('ABORTED and EXPIRED end the sale with nothing to do', async () => {
    const r = rig();
    const first = await startSale(r);
    r.service.setState(first, 'ABORTED');
    await until(r, 'aborted', 30_000);
    await until(r, 'idle', 30_000);
    const second = await startSale(r);
    r.service.setState(second, 'EXPIRED');
    await until(r, 'expired', 30_000);
    assert.equal(r.service.count('cancel'), 0);
    assert.equal(r.pins.pulses.length, 0);
  });

  it('authorized with nothing reserved is not paid: no release', async () => {
    const r = rig();
    const reference = await startSale(r);
    approve(r, reference);
    payment(r, reference).cancelled = 2500;
    await until(r, 'error', 30_000);
    assert.equal(r.pins.pulses.length, 0);
  });

  it('references are unique across reboots: the counter is journalled before create', async () => {
    const r = rig();
    const first = await startSale(r);
    const second = rig({ from: r });
    await runUntil(second, () => second.machine.view.sale.screen === 'idle');
    second.machine.act({ type: 'select', product: 'water' });
    await until(second, 'payment');
    const next = currentReference(second);
    assert.notEqual(next, first);
    assert.match(next, /^test-vend-01-2-/);
  });
});

describe('machine configuration', () => {
  it('a bad configuration keeps the machine out of service with the reason', async () => {
    const catalog = (testMachineConfig().catalog as Record<string, unknown>[]).map((p, i) => (i === 1 ? { ...p, price: 0 } : p));
    const r = rig({ config: testMachineConfig({ catalog }) });
    const sale = r.machine.view.sale;
    assert.equal(sale.screen, 'out-of-service');
    assert.equal((sale as { reason: string }).reason, 'config');
    assert.equal((sale as { detail: string }).detail, 'catalog[1].price: 0 is below the NOK minimum of 100');
    r.machine.act({ type: 'select', product: 'water' });
    await r.clock.advance(10_000);
    assert.equal(r.service.count('create'), 0);
  });

  it('out of service without a token, back in service by itself', async () => {
    const r = rig({ prepare: (service) => service.script('token', problem(503), problem(503), problem(503)) });
    await r.clock.advance(1_000);
    assert.equal(r.machine.view.sale.screen, 'out-of-service');
    assert.equal((r.machine.view.sale as { reason: string }).reason, 'token');
    await runUntil(r, () => r.machine.view.sale.screen === 'idle', 300_000);
  });

  it('out of service while the network is down, and back', async () => {
    const r = rig();
    await runUntil(r, () => r.machine.view.sale.screen === 'idle');
    r.machine.setNetwork(false);
    assert.equal((r.machine.view.sale as { reason: string }).reason, 'network');
    r.machine.act({ type: 'select', product: 'water' });
    await r.clock.advance(1_000);
    assert.equal(r.service.count('create'), 0);
    r.machine.setNetwork(true);
    assert.equal(r.machine.view.sale.screen, 'idle');
  });

  it('outputs are made (inactive) before anything else, and two products on one pin are refused', () => {
    const r = rig();
    assert.deepEqual(r.pins.created.map((p) => p.pin), [26, 27]);
    const catalog = (testMachineConfig().catalog as Record<string, unknown>[]).map((p) => ({ ...p, output: { pin: 26, pulseMs: 300, activeLow: false } }));
    const bad = rig({ config: testMachineConfig({ catalog }) });
    assert.match((bad.machine.view.sale as { detail: string }).detail, /catalog\[1\]\.output\.pin: pin 26 already releases water/);
  });

  it('a product with a stock count is sold out at 0', async () => {
    const r = rig();
    for (let i = 0; i < 3; i++) {
      const reference = await startSale(r);
      approve(r, reference);
      await until(r, 'thank-you', 30_000);
      await until(r, 'idle', 30_000);
    }
    assert.equal(r.machine.view.products.find((p) => p.id === 'water')?.soldOut, true);
    r.machine.act({ type: 'select', product: 'water' });
    await r.clock.advance(1_000);
    assert.equal(r.machine.view.sale.screen, 'idle');
  });
});

describe('after a restart', () => {
  it('the idle screen tells about the previous sale, with its reference, until dismissed', async () => {
    const r = rig();
    const reference = await startSale(r);
    r.machine.stop();
    const again = rig({ from: r });
    await runUntil(again, () => again.machine.view.sale.screen === 'idle' && again.machine.journal.queue.length === 0);
    const idle = again.machine.view.sale as { notice?: { reference: string; outcome: string } };
    assert.equal(idle.notice?.reference, reference);
    assert.equal(idle.notice?.outcome, 'cancelled');
    assert.equal(payment(again, reference).state, 'TERMINATED');
    again.machine.act({ type: 'dismiss' });
    assert.equal((again.machine.view.sale as { notice?: unknown }).notice, undefined);
  });
});
