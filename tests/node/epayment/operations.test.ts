// Every operation and every state, over real sockets against the emulator, with every request
// checked against the OpenAPI spec by the emulator.
import assert from 'node:assert/strict';
import { ApiError, isApiError } from 'epayment/errors';
import { pollUntilFinal } from 'epayment/poll';
import { systemClock } from '../../../hosts/node/system-clock';
import { NOK, assertAllValid, failure, newReference, saleInput, startRig, type Rig } from './support';

describe('epayment client against the emulator: operations and states', () => {
  let rig: Rig;

  before(async () => {
    rig = await startRig();
  });
  after(async () => {
    await rig.close();
  });
  afterEach(() => {
    assertAllValid(rig.emulator);
  });

  it('a whole sale: token, create, status, authorize, capture, events', async () => {
    const { client, emulator } = rig;
    const reference = newReference('sale');
    await client.warmUp();
    const created = await client.createPayment(saleInput(reference));
    assert.equal(created.reference, reference);
    assert.equal(created.redirectUrl, emulator.payment(reference)?.redirectUrl);
    const recorded = emulator.payment(reference)?.request as Record<string, unknown>;
    assert.equal(recorded.userFlow, 'QR');
    assert.deepEqual(recorded.qrFormat, { format: 'TEXT/TARGETURL' });
    assert.equal(recorded.customerInteraction, 'CUSTOMER_PRESENT');
    assert.equal((recorded.receipt as { bottomLine: { posId: string } }).bottomLine.posId, 'vend-test');

    assert.equal((await client.getPayment(reference)).state, 'CREATED');
    emulator.approve(reference);
    const authorized = await client.getPayment(reference);
    assert.equal(authorized.state, 'AUTHORIZED');
    assert.deepEqual(authorized.aggregate.authorizedAmount, NOK(2500));

    const captured = await client.capture(reference, NOK(2500));
    assert.equal(captured.state, 'AUTHORIZED');
    assert.deepEqual(captured.aggregate.capturedAmount, NOK(2500));
    assert.deepEqual(emulator.payment(reference)?.aggregate.capturedAmount, NOK(2500));

    const events = await client.getEvents(reference);
    assert.deepEqual(events.map((e) => e.name), ['CREATED', 'AUTHORIZED', 'CAPTURED']);
    assert.ok(events.every((e) => e.success));
  });

  it('refund after capture', async () => {
    const { client, emulator } = rig;
    const reference = newReference('refund');
    await client.createPayment(saleInput(reference));
    emulator.approve(reference);
    await client.capture(reference, NOK(2500));
    const refunded = await client.refund(reference, NOK(1000));
    assert.deepEqual(refunded.aggregate.refundedAmount, NOK(1000));
    assert.deepEqual(emulator.payment(reference)?.aggregate.refundedAmount, NOK(1000));
  });

  it('cancel before authorization: TERMINATED', async () => {
    const { client } = rig;
    const reference = newReference('terminate');
    await client.createPayment(saleInput(reference));
    const cancelled = await client.cancel(reference, { cancelTransactionOnly: true });
    assert.equal(cancelled.state, 'TERMINATED');
    assert.equal((await client.getPayment(reference)).state, 'TERMINATED');
  });

  it('cancelTransactionOnly on an authorized payment: ErrorCode 6060, nothing cancelled; a full cancel then releases it', async () => {
    const { client, emulator } = rig;
    const reference = newReference('authcancel');
    await client.createPayment(saleInput(reference));
    emulator.approve(reference);
    const error = await failure(client.cancel(reference, { cancelTransactionOnly: true }));
    assert.ok(isApiError(error, undefined, '6060'), String(error));
    assert.deepEqual(emulator.payment(reference)?.aggregate.cancelledAmount, NOK(0));
    const cancelled = await client.cancel(reference);
    assert.equal(cancelled.state, 'AUTHORIZED');
    assert.deepEqual(cancelled.aggregate.cancelledAmount, NOK(2500));
  });

  it('capture before authorization is refused (6080) and not retried', async () => {
    const { client, emulator } = rig;
    const reference = newReference('early');
    await client.createPayment(saleInput(reference));
    emulator.resetCounters();
    const error = await failure(client.capture(reference, NOK(2500)));
    assert.ok(error instanceof ApiError && error.code === '6080' && error.status >= 400 && error.status < 500, String(error));
    assert.equal(emulator.counters().requests['POST /epayment/v1/payments/{reference}/capture'], 1);
    assert.deepEqual(emulator.payment(reference)?.aggregate.capturedAmount, NOK(0));
  });

  for (const [state, act] of [
    ['AUTHORIZED', (rig: Rig, ref: string) => rig.emulator.approve(ref)],
    ['ABORTED', (rig: Rig, ref: string) => rig.emulator.reject(ref)],
    ['EXPIRED', (rig: Rig, ref: string) => rig.emulator.expire(ref)],
    ['TERMINATED', (rig: Rig, ref: string) => { void rig.client.cancel(ref); }],
  ] as const) {
    it(`polling ends at ${state}`, async () => {
      const reference = newReference(state.toLowerCase());
      await rig.client.createPayment(saleInput(reference));
      const seen: string[] = [];
      const poll = pollUntilFinal(rig.client, reference, { clock: systemClock, firstDelayMs: 50, intervalMs: 500, onState: (s) => seen.push(s.state) });
      await new Promise((resolve) => setTimeout(resolve, 100));
      act(rig, reference);
      const final = await poll.result;
      assert.equal(final.state, state);
      assert.equal(seen[0], 'CREATED');
      assert.equal(seen.at(-1), state);
    });
  }

  it('cancel while the customer is authorizing: 423 (6250) retried, then the error; after approval, 6060', async () => {
    const { client, emulator } = rig;
    const reference = newReference('inapp');
    await client.createPayment(saleInput(reference));
    emulator.openInApp(reference);
    const locked = await failure(client.cancel(reference, { cancelTransactionOnly: true }));
    assert.ok(isApiError(locked, 423, '6250'), String(locked));
    assert.equal(emulator.requests().filter((r) => r.path.endsWith(`${reference}/cancel`)).length, 4, 'retried as a 423');
    assert.equal(emulator.payment(reference)?.state, 'CREATED');
    emulator.approve(reference);
    const paid = await failure(client.cancel(reference, { cancelTransactionOnly: true }));
    assert.ok(isApiError(paid, undefined, '6060'), 'the customer just paid');
  });

  it('an unknown reference is a 404 ApiError, not a state', async () => {
    const error = await failure(rig.client.getPayment(newReference('nobody')));
    assert.ok(error instanceof ApiError && error.status === 404);
  });

  it('create is idempotent: the same reference twice gives the same answer, one payment', async () => {
    const reference = newReference('twice');
    const first = await rig.client.createPayment(saleInput(reference));
    const second = await rig.client.createPayment(saleInput(reference));
    assert.equal(second.redirectUrl, first.redirectUrl);
    assert.equal(rig.emulator.payment(reference)?.events.filter((e) => e.name === 'CREATED').length, 1);
  });
});
