// The capture rules newer than the vendored spec (ePayment changelog, August 2026):
// captureGuaranteedUntil on get payment, 6260 "Funds unavailable", 6280 "try again later", and the
// capture deadline after which the service cancels what is still reserved.
import assert from 'node:assert/strict';
import { assertProblem, json, request, useEmulator, type Answer } from './helpers';

const DAY_S = 24 * 3600;
const CAPTURE = 'POST /epayment/v1/payments/{reference}/capture';
type Aggregate = Record<'authorizedAmount' | 'capturedAmount' | 'cancelledAmount' | 'refundedAmount', { value: number }>;
const values = (a: Aggregate): number[] => [a.authorizedAmount.value, a.capturedAmount.value, a.cancelledAmount.value, a.refundedAmount.value];

describe('emulator: capture guarantee, funds unavailable, capture deadline', () => {
  const context = useEmulator();
  const admin = (method: string, path: string, body?: unknown): Promise<Answer> =>
    request(`${context.emulator.baseUrl}/emulator${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  /** Moves the emulator clock and fetches a token again (the old one expired on the way). */
  const advanceDays = async (days: number) => {
    context.emulator.advanceClock(days * DAY_S);
    assert.equal((await context.client.fetchToken()).status, 200);
  };

  describe('captureGuaranteedUntil', () => {
    it('is sent on get payment once authorized: the authorization time + 7 days, emulator time, ISO 8601', async () => {
      const { client, emulator } = context;
      const reference = await client.payment({}, false);
      assert.equal('captureGuaranteedUntil' in json(await client.get(reference)), false, 'not before authorization');
      emulator.advanceClock(60);
      const before = emulator.now();
      emulator.approve(reference);
      const authorized = json(await client.get(reference));
      const until = Date.parse(authorized.captureGuaranteedUntil as string);
      assert.match(authorized.captureGuaranteedUntil as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(until >= before + 7 * DAY_S * 1000 && until <= emulator.now() + 7 * DAY_S * 1000, authorized.captureGuaranteedUntil as string);
      // It does not move with the clock or with a capture.
      emulator.advanceClock(3600);
      await client.fetchToken();
      await client.capture(reference, 1000);
      assert.equal(json(await client.get(reference)).captureGuaranteedUntil, authorized.captureGuaranteedUntil);
    });

    it('is not sent for payments that ended unauthorized, nor in the modification answers', async () => {
      const { client, emulator } = context;
      const rejected = await client.payment({}, false);
      emulator.reject(rejected);
      assert.equal('captureGuaranteedUntil' in json(await client.get(rejected)), false);
      const reference = await client.payment();
      assert.equal('captureGuaranteedUntil' in json(await client.capture(reference, 2500)), false);
    });
  });

  describe('6260 Funds unavailable', () => {
    it('refuses every capture of a payment marked through the admin API (400, 6260), and captures again once cleared', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      const marked = await admin('POST', `/payments/${reference}/funds-unavailable`);
      assert.equal(marked.status, 200);
      assert.equal(json(marked).fundsUnavailable, true);
      assertProblem(await client.capture(reference, 2500), 400, '6260');
      assertProblem(await client.capture(reference, 2500), 400, '6260');
      assert.deepEqual(values(emulator.payment(reference)!.aggregate), [2500, 0, 0, 0], 'nothing captured, still reserved');
      assert.equal((await admin('POST', `/payments/${reference}/funds-unavailable`, { unavailable: false })).status, 200);
      assert.equal((await client.capture(reference, 2500)).status, 200, 'the same key works once the funds are back');
      assert.equal((await admin('POST', `/payments/${reference}/funds-unavailable`, { unavailable: 'yes' })).status, 400);
      assert.equal((await admin('POST', '/payments/unknown-ref-1/funds-unavailable')).status, 404);
    });

    it('is the facade method fundsUnavailable() too, and a status fault can give it as well', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.fundsUnavailable(reference);
      assertProblem(await client.capture(reference, 2500), 400, '6260');
      emulator.fundsUnavailable(reference, false);
      emulator.injectFault({ route: CAPTURE, kind: 'status', status: 400, errorCode: '6260' });
      assertProblem(await client.capture(reference, 2500), 400, '6260');
      assert.equal((await client.capture(reference, 2500)).status, 200);
    });
  });

  it('6280 (try again later) comes from a status fault: nothing is captured, the retry with the same key captures', async () => {
    const { client, emulator } = context;
    const reference = await client.payment();
    emulator.injectFault({ route: CAPTURE, kind: 'status', status: 400, errorCode: '6280' });
    assertProblem(await client.capture(reference, 2500), 400, '6280');
    assert.equal(emulator.payment(reference)!.aggregate.capturedAmount.value, 0);
    assert.equal((await client.capture(reference, 2500)).status, 200);
  });

  describe('capture deadline', () => {
    it('NOK: after 180 days the service cancels the reservation; the state stays AUTHORIZED; a capture is then 400 6070', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      const authorizedAt = emulator.now();
      await advanceDays(179.9);
      assert.deepEqual(values(json(await client.get(reference)).aggregate), [2500, 0, 0, 0], 'still reserved just before');
      await advanceDays(0.2);
      const got = json(await client.get(reference));
      assert.equal(got.state, 'AUTHORIZED');
      assert.deepEqual(values(got.aggregate), [2500, 0, 2500, 0]);
      const events = json<Array<{ name: string; timestamp: string; amount: { value: number }; idempotencyKey: string | null }>>(await client.events(reference));
      const cancelled = events.at(-1)!;
      assert.equal(cancelled.name, 'CANCELLED');
      assert.equal(cancelled.amount.value, 2500);
      assert.equal(cancelled.idempotencyKey, null, 'the service did it, not a request');
      assert.ok(Math.abs(Date.parse(cancelled.timestamp) - (authorizedAt + 180 * DAY_S * 1000)) < 5_000, 'stamped at the deadline');
      const late = await client.capture(reference, 2500);
      assertProblem(late, 400, '6070');
      assert.match(json(late).detail as string, /capture deadline/);
    });

    it('DKK and EUR: 14 days', async () => {
      const { client } = context;
      const dkk = await client.payment({ amount: { currency: 'DKK', value: 2500 } });
      const eur = await client.payment({ amount: { currency: 'EUR', value: 2500 } });
      const nok = await client.payment();
      await advanceDays(13.9);
      assert.equal(json(await client.get(dkk)).aggregate.cancelledAmount.value, 0);
      await advanceDays(0.2);
      assert.equal(json(await client.get(dkk)).aggregate.cancelledAmount.value, 2500);
      assert.equal(json(await client.get(eur)).aggregate.cancelledAmount.value, 2500);
      assert.equal(json(await client.get(nok)).aggregate.cancelledAmount.value, 0, 'NOK has 180 days');
      assertProblem(await client.capture(dkk, 2500, 'late-dkk', 'DKK'), 400, '6070');
      assert.equal((await client.capture(nok, 2500)).status, 200);
    });

    it('cancels only what is still reserved: the remainder after a partial capture, nothing after a full one', async () => {
      const { client } = context;
      const partial = await client.payment();
      const full = await client.payment();
      await client.capture(partial, 1000);
      await client.capture(full, 2500);
      await advanceDays(181);
      assert.deepEqual(values(json(await client.get(partial)).aggregate), [2500, 1000, 1500, 0]);
      assert.deepEqual(values(json(await client.get(full)).aggregate), [2500, 2500, 0, 0]);
      assert.deepEqual(json<Array<{ name: string }>>(await client.events(full)).map((e) => e.name), ['CREATED', 'AUTHORIZED', 'CAPTURED']);
      // Captured money can still be refunded after the deadline.
      assert.equal((await client.refund(partial, 1000)).status, 200);
    });

    it('follows advanceClock alone, without a request (the admin view shows it)', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.advanceClock(181 * DAY_S);
      const record = emulator.payment(reference)!;
      assert.deepEqual(values(record.aggregate), [2500, 0, 2500, 0]);
      assert.equal(record.cancelledAtDeadline, true);
    });
  });
});
