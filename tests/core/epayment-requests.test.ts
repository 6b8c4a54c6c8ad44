// What goes on the wire: paths, the header set, idempotency keys, and the request bodies, checked
// against the spec's limits before anything is sent.
import assert from 'node:assert/strict';
import { EpaymentClient } from 'epayment/client';
import { EpaymentError } from 'epayment/errors';
import { idempotencyKey, MAX_IDEMPOTENCY_KEY } from 'epayment/idempotency';
import { createPaymentBody, orderLine, taxIncluded } from 'epayment/requests';
import { FakeService, testConfig } from './epayment-fakes';

const REF = 'vend-0042-a1b2c3';
const NOK = (value: number) => ({ currency: 'NOK' as const, value });

function isInvalid(error: unknown): boolean {
  return error instanceof EpaymentError && error.kind === 'invalid-request';
}

describe('epayment requests', () => {
  let service: FakeService;
  let client: EpaymentClient;

  beforeEach(async () => {
    service = new FakeService();
    client = new EpaymentClient(testConfig({ system: { name: 'qr-vending', version: '1.2.3', pluginName: 'epayment-client', pluginVersion: '1.2.3' } }), service, service.clock);
    await client.createPayment({ reference: REF, amount: NOK(2500), description: 'Ear buds' });
    service.setState(REF, 'AUTHORIZED');
  });

  it('sends every operation to its path with its method', async () => {
    await client.getPayment(REF);
    await client.getEvents(REF);
    await client.capture(REF, NOK(2500));
    await client.refund(REF, NOK(500));
    await client.cancel(REF);
    const seen = service.requests.filter((r) => !r.url.endsWith('/accesstoken/get')).map((r) => `${r.method} ${r.url.replace('https://api.example.test', '')}`);
    assert.deepEqual(seen, [
      'POST /epayment/v1/payments',
      `GET /epayment/v1/payments/${REF}`,
      `GET /epayment/v1/payments/${REF}/events`,
      `POST /epayment/v1/payments/${REF}/capture`,
      `POST /epayment/v1/payments/${REF}/refund`,
      `POST /epayment/v1/payments/${REF}/cancel`,
    ]);
  });

  it('puts the full header set on every ePayment call', async () => {
    await client.getPayment(REF);
    await client.capture(REF, NOK(2500));
    for (const request of service.requests.filter((r) => !r.url.endsWith('/accesstoken/get'))) {
      const h = request.headers;
      assert.match(h.Authorization, /^Bearer tok-1-/);
      assert.equal(h['Ocp-Apim-Subscription-Key'], 'SECRET-subscription-key-value');
      assert.equal(h['Merchant-Serial-Number'], '123456');
      assert.equal(h['Vipps-System-Name'], 'qr-vending');
      assert.equal(h['Vipps-System-Version'], '1.2.3');
      assert.equal(h['Vipps-System-Plugin-Name'], 'epayment-client');
      assert.equal(h['Vipps-System-Plugin-Version'], '1.2.3');
      assert.equal(h['Content-Type'], request.body === undefined ? undefined : 'application/json');
      assert.equal(h.client_secret, undefined, 'the client secret goes to the token endpoint only');
    }
  });

  it('sends an Idempotency-Key on create, capture, cancel and refund, none on reads', async () => {
    await client.getPayment(REF);
    await client.capture(REF, NOK(2500));
    await client.refund(REF, NOK(500));
    await client.cancel(REF, { cancelTransactionOnly: true }).catch(() => {});
    await client.cancel(REF);
    const keys = service.requests.filter((r) => !r.url.endsWith('/accesstoken/get')).map((r) => r.headers['Idempotency-Key']);
    assert.deepEqual(keys, [`create-${REF}`, undefined, `capture-2500-${REF}`, `refund-500-${REF}`, `canceltx-${REF}`, `cancel-${REF}`]);
  });

  it('derives the same key again after a reboot: a new client, the same reference', async () => {
    const rebooted = new EpaymentClient(testConfig(), service, service.clock);
    await rebooted.capture(REF, NOK(2500));
    const captures = service.of('capture');
    assert.equal(captures.at(-1)?.headers['Idempotency-Key'], `capture-2500-${REF}`);
  });

  it('keeps keys within 50 characters and distinct for long references', () => {
    const long1 = `machine-0001-${'a'.repeat(40)}-000001`;
    const long2 = `machine-0001-${'a'.repeat(40)}-000002`;
    for (const op of ['create', 'capture', 'refund', 'cancel', 'canceltx'] as const) {
      const k1 = idempotencyKey(op, long1, 65_000_000);
      const k2 = idempotencyKey(op, long2, 65_000_000);
      assert.ok(k1.length <= MAX_IDEMPOTENCY_KEY, `${k1} is ${k1.length} long`);
      assert.notEqual(k1, k2);
      assert.match(k1, /^[a-z]+-[0-9]+-[a-zA-Z0-9-]+$/);
      assert.equal(idempotencyKey(op, long1, 65_000_000), k1, 'deterministic');
    }
    assert.equal(idempotencyKey('create', 'abcdefgh'), 'create-abcdefgh');
    assert.notEqual(idempotencyKey('capture', REF, 100), idempotencyKey('capture', REF, 200));
    assert.equal(idempotencyKey('create', 'x'.repeat(64)).length, 50);
  });

  it('creates a QR payment for a customer at the machine, with receipt, tax and posId', () => {
    const body = createPaymentBody({
      reference: REF,
      amount: NOK(2500),
      description: 'Ear buds',
      receipt: { orderLines: [{ id: 'slot-3', name: 'Ear buds', totalAmount: 2500, taxRate: 2500, quantity: 1 }], posId: 'vend-0042' },
      minimumUserAge: 18,
      metadata: { slot: '3' },
    });
    assert.deepEqual(body, {
      amount: { currency: 'NOK', value: 2500 },
      paymentMethod: { type: 'WALLET' },
      reference: REF,
      userFlow: 'QR',
      qrFormat: { format: 'TEXT/TARGETURL' },
      customerInteraction: 'CUSTOMER_PRESENT',
      paymentDescription: 'Ear buds',
      receipt: {
        orderLines: [{ name: 'Ear buds', id: 'slot-3', totalAmount: 2500, totalAmountExcludingTax: 2000, totalTaxAmount: 500, taxRate: 2500, unitInfo: { unitPrice: 2500, quantity: '1', quantityUnit: 'PCS' } }],
        bottomLine: { currency: 'NOK', posId: 'vend-0042' },
      },
      minimumUserAge: 18,
      metadata: { slot: '3' },
    });
  });

  it('computes tax in integer minor units, the parts adding up to the total', () => {
    for (const [total, rate] of [[2500, 2500], [1999, 1500], [101, 1200], [65_000_000, 2500], [1, 2500], [999, 0]]) {
      const line = orderLine({ id: 'x', name: 'x', totalAmount: total, taxRate: rate });
      const excluding = line.totalAmountExcludingTax as number;
      const tax = line.totalTaxAmount as number;
      assert.ok(Number.isInteger(excluding) && Number.isInteger(tax));
      assert.equal(excluding + tax, total);
      assert.ok(Math.abs(tax - (excluding * rate) / 10_000) <= 1, `${total} at ${rate}: tax ${tax}`);
    }
  });

  it('sends the create body as JSON and the capture amount as modificationAmount', async () => {
    await client.capture(REF, NOK(2500));
    assert.equal(JSON.parse(service.of('create')[0].body ?? '').userFlow, 'QR');
    assert.deepEqual(JSON.parse(service.of('capture')[0].body ?? ''), { modificationAmount: { currency: 'NOK', value: 2500 } });
    await client.cancel(REF, { cancelTransactionOnly: true }).catch(() => {});
    assert.deepEqual(JSON.parse(service.of('cancel')[0].body ?? ''), { cancelTransactionOnly: true });
  });

  it('refuses input that breaks the spec before sending anything', async () => {
    const before = service.requests.length;
    const good = { reference: 'vend-0042-zzzz', amount: NOK(2500), description: 'Ear buds' };
    const bad = [
      { ...good, reference: 'short' },
      { ...good, reference: 'has space 123' },
      { ...good, reference: '../../accesstoken/get' },
      { ...good, amount: NOK(99) },
      { ...good, amount: NOK(25.5) },
      { ...good, amount: NOK(65_000_001) },
      { ...good, amount: { currency: 'USD' as const, value: 2500 } },
      { ...good, description: 'ab' },
      { ...good, description: 'x'.repeat(101) },
      { ...good, minimumUserAge: 101 },
      { ...good, metadata: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' } },
      { ...good, receipt: { orderLines: [{ id: 'a', name: 'a', totalAmount: 2000, taxRate: 2500 }] } },
      { ...good, receipt: { orderLines: [{ id: 'a', name: 'a', totalAmount: 2500, taxRate: 10_001 }] } },
      { ...good, qrSize: 500 },
    ];
    for (const input of bad) await assert.rejects(client.createPayment(input), isInvalid, JSON.stringify(input));
    await assert.rejects(client.capture(REF, NOK(0)), isInvalid);
    await assert.rejects(client.capture(REF, NOK(-5)), isInvalid);
    await assert.rejects(client.getPayment('bad/ref'), isInvalid);
    assert.equal(service.requests.length, before);
  });

  it('checks the configuration once: MSN digits, header sizes, base URL', () => {
    const isConfig = (error: unknown) => error instanceof EpaymentError && error.kind === 'config' && !/SECRET/.test(error.message);
    const creds = testConfig().credentials;
    assert.throws(() => new EpaymentClient(testConfig({ credentials: { ...creds, merchantSerialNumber: '12' } }), service, service.clock), isConfig);
    assert.throws(() => new EpaymentClient(testConfig({ credentials: { ...creds, clientSecret: '' } }), service, service.clock), isConfig);
    assert.throws(() => new EpaymentClient(testConfig({ credentials: { ...creds, subscriptionKey: 'SECRET\r\nX: y' } }), service, service.clock), isConfig);
    assert.throws(() => new EpaymentClient(testConfig({ system: { name: 'x'.repeat(31) } }), service, service.clock), isConfig);
    assert.throws(() => new EpaymentClient(testConfig({ baseUrl: 'api.vipps.no' }), service, service.clock), isConfig);
    assert.throws(() => new EpaymentClient(testConfig({ baseUrl: 'https://api.vipps.no/epayment' }), service, service.clock), isConfig);
    assert.equal(new EpaymentClient(testConfig({ baseUrl: 'https://apitest.vipps.no/' }), service, service.clock).baseUrl, 'https://apitest.vipps.no');
  });
});

describe('receipt tax', () => {
  it('is round(price × rate / (10000 + rate)) half up, and excluding = price − tax', () => {
    assert.deepEqual(taxIncluded(2500, 2500), { tax: 500, excludingTax: 2000 });
    // 14 at 12 %: 1.5 exactly, rounded up (rounding the excluding amount instead would give 1).
    assert.deepEqual(taxIncluded(14, 1200), { tax: 2, excludingTax: 12 });
    assert.deepEqual(taxIncluded(3500, 1500), { tax: 457, excludingTax: 3043 });
    assert.deepEqual(taxIncluded(100, 0), { tax: 0, excludingTax: 100 });
    for (let price = 1; price < 3000; price += 7) {
      for (const rate of [0, 1000, 1200, 1500, 2400, 2500]) {
        const exact = (price * rate) / (10_000 + rate);
        const { tax } = taxIncluded(price, rate);
        assert.ok(tax - exact <= 0.5 && exact - tax < 0.5, `${price} at ${rate}: ${tax} for ${exact}`);
      }
    }
  });
});
