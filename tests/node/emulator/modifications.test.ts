import assert from 'node:assert/strict';
import { assertProblem, json, useEmulator } from './helpers';

interface Modification {
  state: string;
  aggregate: Record<'authorizedAmount' | 'capturedAmount' | 'cancelledAmount' | 'refundedAmount', { currency: string; value: number }>;
  reference: string;
  pspReference: string;
}

const values = (m: Modification): number[] => [m.aggregate.authorizedAmount.value, m.aggregate.capturedAmount.value, m.aggregate.cancelledAmount.value, m.aggregate.refundedAmount.value];

describe('emulator: capture, cancel, refund', () => {
  const context = useEmulator();

  describe('capture', () => {
    it('captures the whole amount: state stays AUTHORIZED, aggregate.capturedAmount tells, a CAPTURED event', async () => {
      const { client } = context;
      const reference = await client.payment();
      const answer = await client.capture(reference, 2500);
      assert.equal(answer.status, 200);
      // The spec declares the 200 of capture, cancel and refund as application/problem+json.
      assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
      const body = json<Modification>(answer);
      assert.equal(body.state, 'AUTHORIZED');
      assert.equal(body.reference, reference);
      assert.deepEqual(values(body), [2500, 2500, 0, 0]);
      const events = json<Array<{ name: string; amount: { value: number }; idempotencyKey: string }>>(await client.events(reference));
      assert.deepEqual(events.map((e) => e.name), ['CREATED', 'AUTHORIZED', 'CAPTURED']);
      assert.equal(events[2]!.amount.value, 2500);
      assert.equal(events[2]!.idempotencyKey, `capture-${reference}-2500`);
      assert.equal(json(await client.get(reference)).state, 'AUTHORIZED');
    });

    it('captures in parts up to the authorized amount, and refuses more (6090)', async () => {
      const { client } = context;
      const reference = await client.payment();
      assert.deepEqual(values(json<Modification>(await client.capture(reference, 1000))), [2500, 1000, 0, 0]);
      assert.deepEqual(values(json<Modification>(await client.capture(reference, 1500))), [2500, 2500, 0, 0]);
      assertProblem(await client.capture(reference, 1), 400, '6090');
      const other = await client.payment();
      assertProblem(await client.capture(other, 2501), 400, '6090');
      assert.equal(context.emulator.payment(other)!.aggregate.capturedAmount.value, 0);
    });

    it('refuses a capture before authorization (6080), of an ended payment (6200), after a cancel (6070), in another currency (4040)', async () => {
      const { client, emulator } = context;
      const created = await client.payment({}, false);
      assertProblem(await client.capture(created, 2500), 400, '6080');
      emulator.reject(created);
      assertProblem(await client.capture(created, 2500, 'capture-again'), 400, '6200');
      const cancelled = await client.payment();
      assert.equal((await client.cancel(cancelled)).status, 200);
      assertProblem(await client.capture(cancelled, 100), 400, '6070');
      assertProblem(await client.capture(await client.payment(), 100, 'eur', 'EUR'), 400, '4040');
    });
  });

  describe('cancel', () => {
    it('before authorization: TERMINATED, the whole amount cancelled, a TERMINATED event (empty body with Content-Type: application/json)', async () => {
      const { client, emulator } = context;
      const reference = await client.payment({}, false);
      const answer = await client.cancel(reference);
      assert.equal(answer.status, 200);
      const body = json<Modification>(answer);
      assert.equal(body.state, 'TERMINATED');
      assert.deepEqual(values(body), [0, 0, 2500, 0]);
      assert.deepEqual(json<Array<{ name: string }>>(await client.events(reference)).map((e) => e.name), ['CREATED', 'TERMINATED']);
      assert.throws(() => emulator.approve(reference), /TERMINATED/);
      assert.deepEqual(emulator.requests().find((r) => r.route?.endsWith('/cancel'))!.validationErrors, []);
    });

    it('before authorization with cancelTransactionOnly: TERMINATED as well', async () => {
      const { client } = context;
      const reference = await client.payment({}, false);
      assert.equal(json<Modification>(await client.cancel(reference, { cancelTransactionOnly: true })).state, 'TERMINATED');
    });

    it('after authorization with cancelTransactionOnly: refused (6060) and the reservation kept, which tells the customer just paid', async () => {
      const { client } = context;
      const reference = await client.payment();
      assertProblem(await client.cancel(reference, { cancelTransactionOnly: true }), 400, '6060');
      const got = json(await client.get(reference));
      assert.equal(got.state, 'AUTHORIZED');
      assert.equal(got.aggregate.cancelledAmount.value, 0);
      assert.equal((await client.capture(reference, 2500)).status, 200);
    });

    it('after authorization: state stays AUTHORIZED, the amount is cancelled, a CANCELLED event; a second cancel is refused (6190)', async () => {
      const { client } = context;
      const reference = await client.payment();
      const body = json<Modification>(await client.cancel(reference, { cancelTransactionOnly: false }));
      assert.equal(body.state, 'AUTHORIZED');
      assert.deepEqual(values(body), [2500, 0, 2500, 0]);
      assert.deepEqual(json<Array<{ name: string }>>(await client.events(reference)).map((e) => e.name), ['CREATED', 'AUTHORIZED', 'CANCELLED']);
      assertProblem(await client.cancel(reference, undefined, 'cancel-2'), 400, '6190');
    });

    it('after a partial capture: releases the remainder; after a full capture: refused (6040)', async () => {
      const { client } = context;
      const partial = await client.payment();
      await client.capture(partial, 1000);
      assert.deepEqual(values(json<Modification>(await client.cancel(partial))), [2500, 1000, 1500, 0]);
      const full = await client.payment();
      await client.capture(full, 2500);
      assertProblem(await client.cancel(full), 400, '6040');
    });

    it('while the customer has the payment open in the app: 423 Locked (6250), then allowed once they act', async () => {
      const { client, emulator } = context;
      const reference = await client.payment({}, false);
      emulator.openInApp(reference);
      assertProblem(await client.cancel(reference, { cancelTransactionOnly: true }), 423, '6250');
      assert.equal(json(await client.get(reference)).state, 'CREATED');
      emulator.reject(reference);
      assertProblem(await client.cancel(reference, { cancelTransactionOnly: true }, 'cancel-after-reject'), 400, '6190');
    });

    it('refuses a cancel of an expired payment (6190)', async () => {
      const { client, emulator } = context;
      const reference = await client.payment({}, false);
      emulator.expire(reference);
      assertProblem(await client.cancel(reference), 400, '6190');
    });
  });

  describe('refund', () => {
    it('refunds captured money in parts, never more than captured (6150), with REFUNDED events', async () => {
      const { client } = context;
      const reference = await client.payment();
      assertProblem(await client.refund(reference, 100), 400, '6150');
      await client.capture(reference, 2000);
      assert.deepEqual(values(json<Modification>(await client.refund(reference, 500))), [2500, 2000, 0, 500]);
      assert.deepEqual(values(json<Modification>(await client.refund(reference, 1500))), [2500, 2000, 0, 2000]);
      assertProblem(await client.refund(reference, 1), 400, '6150');
      const names = json<Array<{ name: string }>>(await client.events(reference)).map((e) => e.name);
      assert.deepEqual(names, ['CREATED', 'AUTHORIZED', 'CAPTURED', 'REFUNDED', 'REFUNDED']);
      assert.equal(json(await client.get(reference)).state, 'AUTHORIZED');
    });

    it('refuses a refund before authorization (6020) and of an ended payment (6210)', async () => {
      const { client, emulator } = context;
      const created = await client.payment({}, false);
      assertProblem(await client.refund(created, 100), 400, '6020');
      emulator.expire(created);
      assertProblem(await client.refund(created, 100, 'refund-again'), 400, '6210');
    });
  });
});
