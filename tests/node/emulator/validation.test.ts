import assert from 'node:assert/strict';
import { OpenApiContract } from '../../../tools/emulator/openapi';
import { assertProblem, createBody, json, newReference, request, useEmulator } from './helpers';

describe('emulator: requests held to the OpenAPI files', () => {
  const context = useEmulator();
  beforeEach(async () => {
    await context.client.fetchToken();
  });

  const createWith = async (overrides: Record<string, unknown>) => context.client.create(createBody(newReference(), overrides));
  const extraDetails = (body: string): Array<{ name: string; reason: string }> => JSON.parse(body).extraDetails ?? [];

  it('answers 400 with the field and the reason for a body that breaks the schema, and records it', async () => {
    const { emulator } = context;
    const answer = await context.client.create(createBody('short', { amount: { currency: 'NOK', value: 12.5 } }));
    assertProblem(answer, 400);
    const names = extraDetails(answer.body).map((d) => d.name);
    assert.ok(names.includes('reference'), answer.body);
    assert.ok(names.includes('amount.value'), answer.body);
    assert.ok(!names.includes('ErrorCode'), 'a schema error carries no ErrorCode');
    const recorded = emulator.requests().at(-1)!;
    assert.equal(recorded.route, 'POST /epayment/v1/payments');
    assert.ok(recorded.validationErrors.some((e) => e.startsWith('reference')), recorded.validationErrors.join('\n'));
    assert.equal(recorded.status, 400);
    assert.equal(emulator.counters().invalidRequests, 1);
    assert.equal(emulator.payments().length, 0);
  });

  it('names a missing required property', async () => {
    const body = createBody(newReference());
    delete body.paymentMethod;
    const answer = await context.client.create(body);
    assertProblem(answer, 400);
    assert.deepEqual(extraDetails(answer.body), [{ name: 'paymentMethod', reason: 'is required' }]);
  });

  it('reads Customer as "exactly one of phoneNumber, personalQr, customerToken", not literally', async () => {
    assert.equal((await createWith({ customer: { phoneNumber: '4712345678' } })).status, 201);
    assert.equal((await createWith({ customer: { personalQr: 'https://qr.vipps.no/28/2/01/031/4712345678?v=1' } })).status, 201);
    assertProblem(await createWith({ customer: { phoneNumber: '4712345678', customerToken: 'abc' } }), 400);
    assertProblem(await createWith({ customer: {} }), 400);
    assertProblem(await createWith({ customer: { phoneNumber: '+47 123' } }), 400);
  });

  it('checks path parameters: an invalid reference is 400', async () => {
    const answer = await context.client.get('bad');
    assertProblem(answer, 400);
    assert.equal(extraDetails(answer.body)[0]!.name, 'Reference');
  });

  it('refuses a body that is not JSON, and one sent as another media type', async () => {
    const { client } = context;
    const broken = await client.send('POST', '/epayment/v1/payments', '{"amount":', client.headers({ 'Content-Type': 'application/json', 'Idempotency-Key': 'x' }));
    assertProblem(broken, 400);
    assert.match(broken.body, /not valid JSON/);
    const text = await client.send('POST', '/epayment/v1/payments', JSON.stringify(createBody(newReference())), client.headers({ 'Content-Type': 'text/plain', 'Idempotency-Key': 'y' }));
    assertProblem(text, 400);
    assert.equal(extraDetails(text.body)[0]!.name, 'Content-Type');
  });

  it('requires the capture body (the spec marks it optional, its schema requires modificationAmount)', async () => {
    const { client } = context;
    const reference = await client.payment();
    const answer = await client.send('POST', `/epayment/v1/payments/${reference}/capture`, '', client.headers({ 'Content-Type': 'application/json', 'Idempotency-Key': 'z' }));
    assertProblem(answer, 400);
  });

  it('is as tolerant as the service: empty optional headers, Idempotency-Key on GETs, an empty cancel body', async () => {
    const { client, emulator } = context;
    const empties = { 'Vipps-System-Name': '', 'Vipps-System-Version': '', 'Vipps-System-Plugin-Name': '', 'Vipps-System-Plugin-Version': '' };
    const reference = newReference();
    const created = await client.send('POST', '/epayment/v1/payments', JSON.stringify(createBody(reference)), client.headers({ ...empties, 'Content-Type': 'application/json', 'Idempotency-Key': 'tolerant' }));
    assert.equal(created.status, 201, created.body);
    assert.equal((await client.get(reference, { 'Idempotency-Key': 'get', ...empties })).status, 200);
    assert.equal((await client.events(reference)).status, 200);
    assert.equal((await client.cancel(reference)).status, 200);
    for (const recorded of emulator.requests()) assert.deepEqual(recorded.validationErrors, [], `${recorded.method} ${recorded.path}`);
    assert.equal(emulator.counters().invalidRequests, 0);
  });

  it('refuses a Vipps-System header over 30 characters where the operation declares it', async () => {
    const { client } = context;
    const body = JSON.stringify(createBody(newReference()));
    const answer = await client.send('POST', '/epayment/v1/payments', body, client.headers({ 'Vipps-System-Name': 'x'.repeat(31), 'Content-Type': 'application/json', 'Idempotency-Key': 'long' }));
    assertProblem(answer, 400);
    assert.equal(extraDetails(answer.body)[0]!.name, 'Vipps-System-Name');
  });

  it('refuses another sales unit (403) and a missing Merchant-Serial-Number (400)', async () => {
    const { client } = context;
    assertProblem(await client.get(newReference(), { 'Merchant-Serial-Number': '999999' }), 403);
    assertProblem(await client.get(newReference(), { 'Merchant-Serial-Number': '' }), 400);
  });

  it('answers an unknown API path with 404 problem+json and records it as outside the contract', async () => {
    const { emulator } = context;
    const answer = await request(`${emulator.baseUrl}/epayment/v2/payments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assertProblem(answer, 404);
    const recorded = emulator.requests().at(-1)!;
    assert.equal(recorded.route, null);
    assert.equal(recorded.validationErrors.length, 1);
  });

  it('sends every error as application/problem+json with type, title, status, traceId', async () => {
    const answer = await context.client.capture(newReference(), 100);
    assertProblem(answer, 404, '5090');
    const body = json(answer);
    assert.match(body.type as string, /^https:\/\//);
    assert.match(body.traceId as string, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.match(body.instance as string, /^\/v1\/payments\//);
  });
});

describe('emulator: the contract check itself', () => {
  const contract = OpenApiContract.load();

  it('flags answers that break the spec (so an emulator bug would fail the tests)', () => {
    const valid = { reference: 'abcdefgh-1', redirectUrl: 'http://127.0.0.1:1/emulator/pay/x' };
    assert.deepEqual(contract.validateResponse('createPayment', 201, 'application/json', JSON.stringify(valid)), []);
    assert.notDeepEqual(contract.validateResponse('createPayment', 201, 'application/json', JSON.stringify({ redirectUrl: 'not a uri' })), []);
    assert.notDeepEqual(contract.validateResponse('createPayment', 200, 'application/json', JSON.stringify(valid)), [], 'an undeclared success status');
    assert.notDeepEqual(contract.validateResponse('getPayment', 200, 'text/plain', '{}'), []);
    assert.notDeepEqual(contract.validateResponse('getPayment', 500, 'application/problem+json', '{"title":"x"}'), []);
    assert.notDeepEqual(contract.validateResponse('capturePayment', 200, 'application/problem+json', '{"state":"PAID"}'), []);
    assert.notDeepEqual(contract.validateResponse('forceApprove', 200, undefined, 'unexpected'), []);
  });

  it('holds captureGuaranteedUntil (newer than the vendored spec) to a date-time, and loosens nothing else', () => {
    const nok = (value: number) => ({ currency: 'NOK', value });
    const payment = {
      aggregate: { authorizedAmount: nok(2500), capturedAmount: nok(0), cancelledAmount: nok(0), refundedAmount: nok(0) },
      amount: nok(2500), state: 'AUTHORIZED', paymentMethod: { type: 'WALLET' }, profile: {}, pspReference: 'psp-1', reference: 'abcdefgh-1',
    };
    const check = (body: unknown) => contract.validateResponse('getPayment', 200, 'application/json', JSON.stringify(body));
    assert.deepEqual(check(payment), []);
    assert.deepEqual(check({ ...payment, captureGuaranteedUntil: '2026-09-08T10:15:00.000Z' }), []);
    assert.notDeepEqual(check({ ...payment, captureGuaranteedUntil: 'next week' }), []);
    assert.notDeepEqual(check({ ...payment, captureGuaranteedUntil: 1_788_000_000 }), []);
    // As before: the spec lets GetPaymentResponse carry other properties, and still checks the declared ones.
    assert.deepEqual(check({ ...payment, somethingNewer: { x: 1 } }), []);
    assert.notDeepEqual(check({ ...payment, metadata: { slot: 3 } }), [], 'metadata values are still strings only');
    assert.notDeepEqual(check({ ...payment, state: 'PAID' }), []);
    const { pspReference: _dropped, ...withoutPsp } = payment;
    assert.notDeepEqual(check({ ...withoutPsp, captureGuaranteedUntil: '2026-09-08T10:15:00.000Z' }), [], 'required fields stay required');
  });

  it('holds requests to path parameters, headers and bodies by operation', () => {
    const headers = { 'ocp-apim-subscription-key': 'k', 'merchant-serial-number': '123456', 'idempotency-key': 'i', 'content-type': 'application/json' };
    const ok = contract.validateRequest('capturePayment', { pathParams: { reference: 'abcdefgh' }, headers, body: '{"modificationAmount":{"currency":"NOK","value":100}}' });
    assert.deepEqual(ok.issues, []);
    assert.deepEqual(ok.body, { modificationAmount: { currency: 'NOK', value: 100 } });
    const bad = contract.validateRequest('capturePayment', { pathParams: { reference: 'abcdefgh' }, headers: { ...headers, 'merchant-serial-number': '12' }, body: '{"modificationAmount":{"currency":"XXX","value":-1}}' });
    assert.deepEqual([...new Set(bad.issues.map((i) => i.name))].sort(), ['Merchant-Serial-Number', 'modificationAmount.currency', 'modificationAmount.value']);
  });
});
