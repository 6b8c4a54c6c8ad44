import assert from 'node:assert/strict';
import { assertProblem, createBody, json, newReference, useEmulator } from './helpers';

describe('emulator: create, get, events and the customer', () => {
  const context = useEmulator();
  beforeEach(async () => {
    assert.equal((await context.client.fetchToken()).status, 200);
  });

  it('creates a QR payment: 201 {reference, redirectUrl}, then CREATED with zero aggregates and a CREATED event', async () => {
    const { client, emulator } = context;
    const reference = newReference();
    const created = await client.create(createBody(reference), 'key-1');
    assert.equal(created.status, 201);
    assert.match(String(created.headers['content-type']), /^application\/json/);
    const body = json(created);
    assert.equal(body.reference, reference);
    assert.ok((body.redirectUrl as string).startsWith(`${emulator.baseUrl}/emulator/pay/`), body.redirectUrl);

    const got = json(await client.get(reference));
    assert.equal(got.state, 'CREATED');
    assert.deepEqual(got.amount, { currency: 'NOK', value: 2500 });
    assert.deepEqual(got.paymentMethod, { type: 'WALLET' });
    for (const name of ['authorizedAmount', 'capturedAmount', 'cancelledAmount', 'refundedAmount']) assert.deepEqual(got.aggregate[name], { currency: 'NOK', value: 0 });

    const events = json<Array<Record<string, any>>>(await client.events(reference));
    assert.equal(events.length, 1);
    assert.equal(events[0]!.name, 'CREATED');
    assert.equal(events[0]!.success, true);
    assert.equal(events[0]!.idempotencyKey, 'key-1');
    assert.equal(events[0]!.pspReference, got.pspReference);
  });

  it('authorizes through the test API (force approve): state AUTHORIZED, authorizedAmount, an AUTHORIZED event', async () => {
    const { client } = context;
    const reference = await client.payment({}, false);
    const approved = await client.forceApprove(reference, { customer: { phoneNumber: '4712345678' } });
    assert.equal(approved.status, 200);
    assert.equal(approved.body, '');
    const got = json(await client.get(reference));
    assert.equal(got.state, 'AUTHORIZED');
    assert.deepEqual(got.aggregate.authorizedAmount, { currency: 'NOK', value: 2500 });
    assert.deepEqual(json<Array<{ name: string }>>(await client.events(reference)).map((e) => e.name), ['CREATED', 'AUTHORIZED']);
  });

  it('refuses force approve with a token that is not the payment\'s, and of a payment that is not CREATED', async () => {
    const { client } = context;
    const reference = await client.payment({}, false);
    assertProblem(await client.forceApprove(reference, { token: 'not-the-token' }), 400, '10010');
    const token = new URL(context.emulator.payment(reference)!.targetUrl).pathname.split('/').pop()!;
    assert.equal((await client.forceApprove(reference, { token })).status, 200);
    assertProblem(await client.forceApprove(reference), 400, '6230');
    const rejected = await client.payment({}, false);
    context.emulator.reject(rejected);
    assertProblem(await client.forceApprove(rejected), 400, '10010');
  });

  it('follows the customer: approve -> AUTHORIZED, reject -> ABORTED, expire -> EXPIRED, each once', async () => {
    const { client, emulator } = context;
    const [a, b, c] = [await client.payment({}, false), await client.payment({}, false), await client.payment({}, false)];
    emulator.approve(a);
    emulator.reject(b);
    emulator.expire(c);
    assert.equal(json(await client.get(a)).state, 'AUTHORIZED');
    assert.equal(json(await client.get(b)).state, 'ABORTED');
    assert.equal(json(await client.get(c)).state, 'EXPIRED');
    assert.deepEqual(json<Array<{ name: string }>>(await client.events(b)).map((e) => e.name), ['CREATED', 'ABORTED']);
    assert.deepEqual(json<Array<{ name: string }>>(await client.events(c)).map((e) => e.name), ['CREATED', 'EXPIRED']);
    // Final states are final.
    assert.throws(() => emulator.approve(b), /ABORTED/);
    assert.throws(() => emulator.reject(a), /AUTHORIZED/);
    assert.throws(() => emulator.expire(a), /AUTHORIZED/);
    assert.throws(() => emulator.approve(newReference()), /does not exist/);
  });

  it('expires a CREATED payment after 10 minutes on the emulator clock, stamped at the moment it expired', async () => {
    const { client, emulator } = context;
    const reference = await client.payment({}, false);
    const createdAt = emulator.payment(reference)!.createdAt;
    emulator.advanceClock(599);
    assert.equal(json(await client.get(reference)).state, 'CREATED');
    emulator.advanceClock(2);
    assert.equal(json(await client.get(reference)).state, 'EXPIRED');
    const events = json<Array<{ name: string; timestamp: string }>>(await client.events(reference));
    assert.equal(events[1]!.name, 'EXPIRED');
    assert.equal(Date.parse(events[1]!.timestamp), createdAt + 600_000);
    assert.throws(() => emulator.approve(reference), /EXPIRED/);
  });

  it('does not expire an AUTHORIZED payment', async () => {
    const { client, emulator } = context;
    const reference = await client.payment();
    emulator.advanceClock(3000);
    await client.fetchToken();
    assert.equal(json(await client.get(reference)).state, 'AUTHORIZED');
  });

  it('keeps a long-living payment (expiresAt with a receipt) past 10 minutes, and refuses one without a receipt', async () => {
    const { client, emulator } = context;
    const expiresAt = new Date(emulator.now() + 24 * 3600_000).toISOString();
    const receipt = { orderLines: [{ name: 'Cola', id: 'slot-1', totalAmount: 2500, totalAmountExcludingTax: 2000, totalTaxAmount: 500, taxRate: 2500 }], bottomLine: { currency: 'NOK', posId: 'vend-1' } };
    const reference = newReference();
    assert.equal((await client.create(createBody(reference, { expiresAt, receipt }))).status, 201);
    emulator.advanceClock(3600);
    await client.fetchToken();
    assert.equal(json(await client.get(reference)).state, 'CREATED');
    assertProblem(await client.create(createBody(newReference(), { expiresAt })), 400, '6130');
    assertProblem(await client.create(createBody(newReference(), { expiresAt: new Date(emulator.now() + 60_000).toISOString(), receipt })), 400, '6120');
  });

  it('refuses a reference that already exists (409, 4150) and an unknown one (404, 5090)', async () => {
    const { client } = context;
    const reference = await client.payment({}, false);
    assertProblem(await client.create(createBody(reference), 'another-key'), 409, '4150');
    const unknown = newReference();
    assertProblem(await client.get(unknown), 404, '5090');
    assertProblem(await client.events(unknown), 404, '5090');
    assertProblem(await client.capture(unknown, 100), 404, '5090');
  });

  it('applies the business rules the schema cannot express', async () => {
    const { client } = context;
    assertProblem(await client.create(createBody(newReference(), { amount: { currency: 'NOK', value: 99 } })), 400, '6010');
    assert.equal((await client.create(createBody(newReference(), { amount: { currency: 'EUR', value: 1 } }))).status, 201);
    assertProblem(await client.create(createBody(newReference(), { amount: { currency: 'SEK', value: 1000 } })), 400, '5040');
    assertProblem(await client.create(createBody(newReference(), { userFlow: 'WEB_REDIRECT' })), 400, '4140');
    assertProblem(await client.create(createBody(newReference(), { userFlow: 'PUSH_MESSAGE' })), 400, '4140');
  });

  it('answers PUSH_MESSAGE without a redirectUrl, and WEB_REDIRECT with the landing page', async () => {
    const { client } = context;
    const push = await client.create(createBody(newReference(), { userFlow: 'PUSH_MESSAGE', customer: { phoneNumber: '4712345678' }, qrFormat: null }));
    assert.equal(push.status, 201);
    assert.equal(json(push).redirectUrl, undefined);
    const web = await client.create(createBody(newReference(), { userFlow: 'WEB_REDIRECT', returnUrl: 'https://example.com/back', qrFormat: null }));
    assert.match(json(web).redirectUrl as string, /\/emulator\/pay\//);
  });

  it('passes metadata through and gives profile.sub once authorized when profile.scope was asked for', async () => {
    const { client } = context;
    const reference = await client.payment({ metadata: { slot: '3' }, profile: { scope: 'name' } }, false);
    const before = json(await client.get(reference));
    assert.deepEqual(before.metadata, { slot: '3' });
    assert.deepEqual(before.profile, {});
    context.emulator.approve(reference);
    assert.equal(typeof json(await client.get(reference)).profile.sub, 'string');
  });
});
