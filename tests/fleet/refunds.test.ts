// Refunds against the emulator (its ePayment API over HTTPS, its root CA): full and partial, the
// same confirmation twice refunds once, never more than captured (refused before the service is
// asked), and a refund whose answer was lost is sent again with the same key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { refundKey, refundSale, type RefundRequest } from '../../fleet/refunds/refund';
import { startEmulator, type Emulator } from '../../tools/emulator/index';
import { capturedPayment, keysOf } from './emulator-helpers';
import { startTestFleet, type TestFleet } from './helpers';

describe('fleet: refunds (PGlite + emulator)', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  let fleet: TestFleet;
  let operatorId: number;
  let n = 0;

  before(async () => {
    emulator = await startEmulator({ httpsPort: 0, seed: 17 });
    fleet = await startTestFleet({ vipps: keysOf(emulator) });
    await fleet.server.addMachine('kiosk-f');
    operatorId = (await fleet.db.query<{ id: number }>(`INSERT INTO operators (name, password_hash) VALUES ('alice', 'x') RETURNING id`))[0]!.id;
  });
  after(async () => {
    await fleet?.close();
    await emulator?.close();
  });

  /** A sale the machine reported captured, and the same payment captured at the service. */
  async function sale(value = 2500): Promise<string> {
    const reference = `kiosk-f-${String(++n).padStart(4, '0')}`;
    await capturedPayment(fleet.server.vipps!, emulator, reference, value);
    await fleet.db.query(
      `INSERT INTO sales (pos_id, reference, seq, sale_time, product, amount, currency, outcome) VALUES ('kiosk-f', $1, $2, 1765000000, 'cola', $3, 'NOK', 'captured')`,
      [reference, n, value],
    );
    return reference;
  }
  const request = (reference: string, amount: number, fields: Partial<RefundRequest> = {}): RefundRequest => ({
    posId: 'kiosk-f', reference, amount, reason: 'the machine kept the can', operatorId, operatorName: 'alice', requestId: randomBytes(16).toString('hex'), ...fields,
  });
  const refund = (r: RefundRequest) => refundSale(fleet.db, fleet.server.vipps!, r, (line) => fleet.logs.push(line));
  const refundedAtService = (reference: string) => emulator.payment(reference)!.aggregate.refundedAmount.value;
  const refundEvents = (reference: string) => emulator.payment(reference)!.events.filter((e) => e.name === 'REFUNDED').length;
  const refundCalls = (reference: string) => emulator.requests().filter((r) => r.method === 'POST' && r.path === `/epayment/v1/payments/${reference}/refund`).length;

  it('refunds a sale in full and records who, why, how much, the key and the answer', async () => {
    const reference = await sale(2500);
    const r = request(reference, 2500);
    const result = await refund(r);
    assert.equal(result.kind, 'sent');
    assert.equal(refundedAtService(reference), 2500);
    const rows = await fleet.db.query('SELECT amount, currency, reason, operator_name, idempotency_key, state, http_status FROM refunds WHERE reference = $1', [reference]);
    assert.deepEqual(rows, [{ amount: 2500, currency: 'NOK', reason: 'the machine kept the can', operator_name: 'alice', idempotency_key: refundKey('kiosk-f', reference, r.requestId), state: 'done', http_status: 200 }]);
    const sent = emulator.requests().find((q) => q.path === `/epayment/v1/payments/${reference}/refund`)!;
    assert.equal(sent.headers['idempotency-key'], refundKey('kiosk-f', reference, r.requestId));
    assert.deepEqual(JSON.parse(sent.body), { modificationAmount: { currency: 'NOK', value: 2500 } });
  });

  it('refunds part of a sale, then refuses more than is left without asking the service, then refunds the rest', async () => {
    const reference = await sale(3000);
    assert.equal((await refund(request(reference, 1000))).kind, 'sent');
    const calls = refundCalls(reference);
    const tooMuch = await refund(request(reference, 2001));
    assert.equal(tooMuch.kind, 'refused');
    assert.match(tooMuch.kind === 'refused' ? tooMuch.reason : '', /at most 2000/);
    assert.equal(refundCalls(reference), calls);
    assert.equal((await refund(request(reference, 2000))).kind, 'sent');
    assert.equal(refundedAtService(reference), 3000);
    assert.equal(refundEvents(reference), 2);
  });

  it('refuses more than was captured, and a sale not captured, without asking the service', async () => {
    const reference = await sale(2500);
    const result = await refund(request(reference, 2501));
    assert.equal(result.kind, 'refused');
    assert.equal(refundCalls(reference), 0);
    await fleet.db.query(`UPDATE sales SET outcome = 'cancelled' WHERE reference = $1`, [reference]);
    const cancelled = await refund(request(reference, 100));
    assert.match(cancelled.kind === 'refused' ? cancelled.reason : '', /only a captured sale/);
    assert.equal(refundCalls(reference), 0);
    assert.equal((await fleet.db.query('SELECT 1 FROM refunds WHERE reference = $1', [reference])).length, 0);
  });

  it('the same confirmation twice at once, and once more later, refunds once', async () => {
    const reference = await sale(2500);
    const r = request(reference, 1500);
    const results = await Promise.all([refund(r), refund(r)]);
    assert.deepEqual(results.map((x) => x.kind).sort(), ['already', 'sent']);
    assert.equal((await refund(r)).kind, 'already');
    assert.equal(refundEvents(reference), 1);
    assert.equal(refundedAtService(reference), 1500);
    assert.equal((await fleet.db.query('SELECT 1 FROM refunds WHERE reference = $1', [reference])).length, 1);
  });

  it('two different confirmations at once never refund more than captured', async () => {
    const reference = await sale(2500);
    const results = await Promise.all([refund(request(reference, 2000)), refund(request(reference, 2000))]);
    assert.deepEqual(results.map((x) => x.kind).sort(), ['refused', 'sent']);
    assert.equal(refundedAtService(reference), 2000);
  });

  it('a refund whose answer was lost is sent again with the same key and done once', async () => {
    const reference = await sale(2500);
    emulator.injectFault({ route: 'POST /epayment/v1/payments/{reference}/refund', kind: 'reset-before-headers', times: 1 });
    const r = request(reference, 2500);
    const first = await refund(r);
    assert.equal(first.kind === 'sent' && first.refund.state, 'unanswered');
    const again = await refund(r);
    assert.equal(again.kind === 'sent' && again.refund.state, 'done');
    assert.equal(refundEvents(reference), 1);
    const keys = emulator.requests().filter((q) => q.path === `/epayment/v1/payments/${reference}/refund`).map((q) => q.headers['idempotency-key']);
    assert.deepEqual(keys, [refundKey('kiosk-f', reference, r.requestId), refundKey('kiosk-f', reference, r.requestId)]);
  });
});
