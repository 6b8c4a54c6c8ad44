// The service grows its answers over time (captureGuaranteedUntil arrived in August 2026): the
// client reads the optional fields it knows, checks their type, and ignores every field it does not
// know, in every answer it reads.
import assert from 'node:assert/strict';
import { EpaymentClient } from 'epayment/client';
import { UnexpectedResponseError } from 'epayment/errors';
import { FakeService, json, testConfig } from './epayment-fakes';

const REF = 'answers-test-0001';
const NOK = { currency: 'NOK' as const, value: 2500 };
const UNTIL = '2026-09-08T10:15:00.000Z';
// What a future answer might carry: new scalars, objects and arrays, at the top and deeper down.
const EXTRA = { brandNewField: 'x', anotherOne: 42, nested: { a: [1, 2] }, flags: [true] };

describe('epayment answers: optional and unknown fields', () => {
  let service: FakeService;
  let client: EpaymentClient;
  let good: Record<string, unknown>;

  beforeEach(async () => {
    service = new FakeService();
    client = new EpaymentClient(testConfig(), service, service.clock);
    await client.createPayment({ reference: REF, amount: NOK, description: 'Ear buds' });
    service.setState(REF, 'AUTHORIZED');
    good = service.view(service.payments.get(REF)!);
  });

  it('reads captureGuaranteedUntil from get payment, as sent', async () => {
    service.script('get', json(200, { ...good, captureGuaranteedUntil: UNTIL }));
    const status = await client.getPayment(REF);
    assert.equal(status.captureGuaranteedUntil, UNTIL);
    assert.equal(status.state, 'AUTHORIZED');
  });

  it('tolerates captureGuaranteedUntil absent or null: the field is then left out', async () => {
    const absent = await client.getPayment(REF);
    assert.equal('captureGuaranteedUntil' in absent, false);
    service.script('get', json(200, { ...good, captureGuaranteedUntil: null }));
    const nulled = await client.getPayment(REF);
    assert.equal('captureGuaranteedUntil' in nulled, false);
  });

  it('refuses a captureGuaranteedUntil that is not a string (an answer of the wrong shape)', async () => {
    for (const value of [1_788_000_000, { at: UNTIL }, true]) {
      service.script('get', json(200, { ...good, captureGuaranteedUntil: value }));
      await assert.rejects(client.getPayment(REF), (e: unknown) => e instanceof UnexpectedResponseError && e.reason === 'shape' && /captureGuaranteedUntil/.test(e.message));
    }
  });

  it('ignores unknown fields in get payment, in the aggregate and in amounts', async () => {
    const aggregate = good.aggregate as Record<string, Record<string, unknown>>;
    service.script('get', json(200, {
      ...good,
      ...EXTRA,
      amount: { ...NOK, exchangeRate: '1.0' },
      aggregate: { ...aggregate, ...EXTRA, capturedAmount: { ...aggregate.capturedAmount, note: 'x' } },
    }));
    const status = await client.getPayment(REF);
    assert.deepEqual(status.amount, NOK);
    assert.deepEqual(status.aggregate.capturedAmount, { currency: 'NOK', value: 0 });
    assert.equal('brandNewField' in status, false, 'unknown fields are not copied into the status');
  });

  it('ignores unknown fields in create, events, capture, cancel, refund and token answers', async () => {
    service.script('token', () => json(200, { ...tokenAnswer(service), ...EXTRA }));
    const fresh = new EpaymentClient(testConfig(), service, service.clock);
    service.script('create', json(201, { reference: 'answers-test-0002', redirectUrl: 'https://landing.example.test/?t=1', ...EXTRA }));
    assert.equal((await fresh.createPayment({ reference: 'answers-test-0002', amount: NOK, description: 'Ear buds' })).redirectUrl, 'https://landing.example.test/?t=1');
    service.script('events', json(200, [{ reference: REF, pspReference: 'p', name: 'AUTHORIZED', amount: NOK, timestamp: '2026-01-01T00:00:00Z', success: true, ...EXTRA }]));
    assert.equal((await fresh.getEvents(REF))[0]!.name, 'AUTHORIZED');
    for (const route of ['capture', 'refund', 'cancel'] as const) service.script(route, json(200, { ...good, ...EXTRA }));
    assert.equal((await fresh.capture(REF, NOK)).state, 'AUTHORIZED');
    assert.equal((await fresh.refund(REF, NOK)).state, 'AUTHORIZED');
    assert.equal((await fresh.cancel(REF)).state, 'AUTHORIZED');
    assert.equal(fresh.stats.tokenFetches, 1, 'the token answer with extra fields was accepted');
  });
});

/** A token answer the fake service accepts (its own tokens are issued by its normal route). */
function tokenAnswer(service: FakeService): Record<string, string> {
  const now = Math.floor(service.clock.now() / 1000);
  const token = `tok-extra-${'x'.repeat(1000)}`;
  service.validTokens.add(token);
  return { token_type: 'Bearer', expires_in: '3600', ext_expires_in: '0', expires_on: String(now + 3600), not_before: String(now), resource: 'r', access_token: token };
}
