import assert from 'node:assert/strict';
import { startEmulator } from '../../../tools/emulator/index';
import { ApiClient, assertProblem, createBody, json, newReference, useEmulator } from './helpers';

describe('emulator: idempotency', () => {
  const context = useEmulator();
  beforeEach(async () => {
    await context.client.fetchToken();
  });

  it('create: the same key and body give the original answer and one payment; another body gives 409 (4020)', async () => {
    const { client, emulator } = context;
    const reference = newReference();
    const first = await client.create(createBody(reference), 'create-key');
    const again = await client.create(createBody(reference), 'create-key');
    assert.equal(again.status, 201);
    assert.equal(again.body, first.body);
    assert.equal(emulator.payments().filter((p) => p.reference === reference).length, 1);
    assert.equal(emulator.payment(reference)!.events.length, 1);
    assertProblem(await client.create(createBody(reference, { amount: { currency: 'NOK', value: 3000 } }), 'create-key'), 409, '4020');
    // A new reference under a used key is another body too.
    assertProblem(await client.create(createBody(newReference()), 'create-key'), 409, '4020');
  });

  it('compares bodies by meaning: key order and whitespace do not make another body', async () => {
    const { client } = context;
    const reference = newReference();
    const body = createBody(reference);
    assert.equal((await client.create(body, 'k')).status, 201);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const answer = await client.send('POST', '/epayment/v1/payments', JSON.stringify(reordered, null, 2), client.headers({ 'Content-Type': 'application/json', 'Idempotency-Key': 'k' }));
    assert.equal(answer.status, 201);
  });

  it('capture: a retry returns the original answer and captures once; another amount under the key is 409 (4010)', async () => {
    const { client, emulator } = context;
    const reference = await client.payment();
    const first = await client.capture(reference, 1000, 'cap-1');
    const retry = await client.capture(reference, 1000, 'cap-1');
    assert.equal(retry.status, 200);
    assert.equal(retry.body, first.body);
    assert.equal(emulator.payment(reference)!.aggregate.capturedAmount.value, 1000);
    assert.equal(emulator.payment(reference)!.events.filter((e) => e.name === 'CAPTURED').length, 1);
    assertProblem(await client.capture(reference, 1500, 'cap-1'), 409, '4010');
    // A new key is a new capture.
    assert.equal(json(await client.capture(reference, 1500, 'cap-2')).aggregate.capturedAmount.value, 2500);
  });

  it('refund and cancel: a retry returns the original answer; a changed body is 409 (4150 for refund, 4020 for cancel)', async () => {
    const { client, emulator } = context;
    const reference = await client.payment();
    await client.capture(reference, 1000);
    const refund = await client.refund(reference, 400, 'ref-1');
    assert.equal((await client.refund(reference, 400, 'ref-1')).body, refund.body);
    assert.equal(emulator.payment(reference)!.aggregate.refundedAmount.value, 400);
    assertProblem(await client.refund(reference, 300, 'ref-1'), 409, '4150');

    const cancel = await client.cancel(reference, undefined, 'can-1');
    assert.equal(cancel.status, 200);
    // Without the key this second cancel would be refused (6190): the key makes it the same call.
    const retried = await client.cancel(reference, undefined, 'can-1');
    assert.equal(retried.status, 200);
    assert.equal(retried.body, cancel.body);
    assertProblem(await client.cancel(reference, { cancelTransactionOnly: true }, 'can-1'), 409, '4020');
  });

  it('remembers only what took effect: a capture refused before authorization can be retried with the same key after it', async () => {
    const { client, emulator } = context;
    const reference = await client.payment({}, false);
    assertProblem(await client.capture(reference, 2500, 'early'), 400, '6080');
    emulator.approve(reference);
    assert.equal((await client.capture(reference, 2500, 'early')).status, 200);
  });

  it('requires Idempotency-Key on create, capture and refund (400 naming the header), and ignores one on a GET', async () => {
    const { client, emulator } = context;
    const reference = newReference();
    const missing = await client.send('POST', '/epayment/v1/payments', JSON.stringify(createBody(reference)), client.headers({ 'Content-Type': 'application/json' }));
    assertProblem(missing, 400);
    assert.ok(json(missing).extraDetails.some((d: { name: string }) => d.name === 'Idempotency-Key'), missing.body);
    const paid = await client.payment();
    const capture = await client.send('POST', `/epayment/v1/payments/${paid}/capture`, JSON.stringify({ modificationAmount: { currency: 'NOK', value: 100 } }), client.headers({ 'Content-Type': 'application/json' }));
    assertProblem(capture, 400);
    const get = await client.get(paid, { 'Idempotency-Key': 'get-key' });
    assert.equal(get.status, 200);
    assert.deepEqual(emulator.requests().at(-1)!.validationErrors, []);
  });
});

describe('emulator: rate limits', () => {
  const context = useEmulator();
  beforeEach(async () => {
    await context.client.fetchToken();
  });

  it('allows 5 captures a minute per reference, then 429 with Retry-After; the next minute it allows again', async () => {
    const { client, emulator } = context;
    const reference = await client.payment();
    for (let i = 0; i < 5; i++) assert.equal((await client.capture(reference, 100, 'same-capture')).status, 200);
    const limited = await client.capture(reference, 100, 'same-capture');
    assertProblem(limited, 429);
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    // Other operations and other references have budgets of their own.
    assert.equal((await client.refund(reference, 100)).status, 200);
    assert.equal((await client.capture(await client.payment(), 100)).status, 200);
    emulator.advanceClock(60);
    await client.fetchToken();
    assert.equal((await client.capture(reference, 100, 'same-capture')).status, 200);
  });

  it('allows 120 GETs a minute per reference, then 429; the event log counts on its own', async () => {
    const { client } = context;
    const reference = await client.payment();
    const statuses = [];
    for (let i = 0; i < 121; i++) statuses.push((await client.get(reference)).status);
    assert.deepEqual(new Set(statuses.slice(0, 120)), new Set([200]));
    assertProblem(await client.get(reference), 429);
    assert.equal((await client.events(reference)).status, 200);
  });

  it('counts create calls per reference too', async () => {
    const { client } = context;
    const reference = newReference();
    for (let i = 0; i < 5; i++) assert.equal((await client.create(createBody(reference), 'c')).status, 201);
    assertProblem(await client.create(createBody(reference), 'c'), 429);
  });

  it('can be switched off', async () => {
    const emulator = await startEmulator({ rateLimits: false });
    try {
      const client = new ApiClient(emulator);
      const reference = await client.payment();
      for (let i = 0; i < 8; i++) assert.equal((await client.capture(reference, 100, 'k')).status, 200);
      assert.equal(emulator.counters().requests['POST /epayment/v1/payments/{reference}/capture'], 8);
    } finally {
      await emulator.close();
    }
  });
});
