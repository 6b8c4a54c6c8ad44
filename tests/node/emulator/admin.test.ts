import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, newReference, request, useEmulator, type Answer } from './helpers';

describe('emulator: admin API', () => {
  const context = useEmulator();
  const admin = (method: string, path: string, body?: unknown): Promise<Answer> =>
    request(`${context.emulator.baseUrl}/emulator${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });

  it('describes itself at /emulator/info', async () => {
    const info = json(await admin('GET', '/info'));
    assert.equal(info.baseUrl, context.emulator.baseUrl);
    assert.equal(info.httpsBaseUrl, null);
    assert.equal(info.rootCertificateDerPath, context.emulator.rootCertificateDerPath);
    assert.equal(info.merchantSerialNumber, '123456');
    assert.ok((info.routes as string[]).includes('POST /epayment/v1/payments/{reference}/capture'));
    assert.equal(info.clientSecret, undefined, 'no secret over the admin API');
  });

  it('lists payments and shows one; 404 for an unknown one', async () => {
    const reference = await context.client.payment({}, false);
    const list = json<Array<{ reference: string; state: string }>>(await admin('GET', '/payments'));
    assert.deepEqual(list.map((p) => [p.reference, p.state]), [[reference, 'CREATED']]);
    const one = json(await admin('GET', `/payments/${reference}`));
    assert.equal(one.amount.value, 2500);
    assert.equal(one.events[0].name, 'CREATED');
    assert.equal((await admin('GET', `/payments/${newReference()}`)).status, 404);
  });

  for (const [action, state] of [
    ['approve', 'AUTHORIZED'],
    ['reject', 'ABORTED'],
    ['expire', 'EXPIRED'],
  ] as const) {
    it(`${action}s as the customer or the clock would: ${state}; then 409, since only CREATED can`, async () => {
      const reference = await context.client.payment({}, false);
      const answer = await admin('POST', `/payments/${reference}/${action}`);
      assert.equal(answer.status, 200);
      assert.equal(json(answer).state, state);
      assert.equal(json(await context.client.get(reference)).state, state);
      const again = await admin('POST', `/payments/${reference}/${action}`);
      assert.equal(again.status, 409);
      assert.match(json(again).error as string, new RegExp(state));
      assert.equal((await admin('POST', `/payments/${newReference()}/${action}`)).status, 404);
    });
  }

  it('opens a payment in the app (a cancel is then refused)', async () => {
    const reference = await context.client.payment({}, false);
    assert.equal(json(await admin('POST', `/payments/${reference}/open`)).customerAuthorizing, true);
    assert.equal((await context.client.cancel(reference)).status, 423);
  });

  it('advances the clock: tokens and the 10-minute expiry follow', async () => {
    const reference = await context.client.payment({}, false);
    const before = json(await admin('GET', '/clock'));
    const after = json(await admin('POST', '/clock/advance', { seconds: 601 }));
    assert.equal(after.offsetSeconds, 601);
    assert.ok((after.nowMs as number) - (before.nowMs as number) >= 601_000);
    assert.equal(context.emulator.payment(reference)!.state, 'EXPIRED');
    assert.equal((await admin('POST', '/clock/advance', { seconds: -5 })).status, 400);
    assert.equal((await admin('POST', '/clock/advance', 'soon')).status, 400);
  });

  it('injects, lists and clears faults; refuses a bad one', async () => {
    const armed = await admin('POST', '/faults', [
      { route: 'GET /epayment/v1/payments/{reference}', kind: 'latency', delayMs: 10 },
      { route: '*', kind: 'status', status: 503, skip: 2 },
    ]);
    assert.equal(armed.status, 201);
    const listed = json<Array<Record<string, unknown>>>(await admin('GET', '/faults'));
    assert.deepEqual(listed.map((f) => [f.kind, f.times, f.matched, f.applied]), [['latency', 1, 0, 0], ['status', 1, 0, 0]]);
    const bad = await admin('POST', '/faults', { route: 'GET /nowhere', kind: 'status' });
    assert.equal(bad.status, 400);
    assert.match(json(bad).error as string, /unknown route/);
    assert.equal((await admin('POST', '/faults', { route: '*', kind: 'status', probability: 2 })).status, 400);
    assert.deepEqual(json(await admin('DELETE', '/faults')), []);
    assert.deepEqual(context.emulator.counters().requests, {});
  });

  it('reseeds the fault PRNG', async () => {
    assert.deepEqual(json(await admin('POST', '/seed', { seed: 5 })), { seed: 5 });
    assert.equal((await admin('POST', '/seed', { seed: 'x' })).status, 400);
  });

  it('reads and resets counters, reads requests and response errors', async () => {
    await context.client.payment({}, false);
    const counters = json(await admin('GET', '/counters'));
    assert.equal(counters.requests['POST /accesstoken/get'], 1);
    assert.equal(counters.requests['POST /epayment/v1/payments'], 1);
    const requests = json<Array<{ route: string; status: number; validationErrors: string[] }>>(await admin('GET', '/requests'));
    assert.deepEqual(requests.map((r) => [r.route, r.status, r.validationErrors.length]), [['POST /accesstoken/get', 200, 0], ['POST /epayment/v1/payments', 201, 0]]);
    assert.deepEqual(json(await admin('GET', '/response-errors')), []);
    const reset = json(await admin('POST', '/counters/reset'));
    assert.deepEqual(reset, { connections: 0, tlsHandshakes: 0, requests: {}, invalidRequests: 0, invalidResponses: 0 });
  });

  it('resets everything: payments, tokens, faults, counters, requests, the clock', async () => {
    const reference = await context.client.payment({}, false);
    context.emulator.injectFault({ route: '*', kind: 'latency', delayMs: 1 });
    context.emulator.advanceClock(30);
    assert.equal((await admin('POST', '/reset')).status, 200);
    assert.equal(context.emulator.payment(reference), undefined);
    assert.deepEqual(json(await admin('GET', '/faults')), []);
    assert.equal(json(await admin('GET', '/clock')).offsetSeconds, 0);
    assert.deepEqual(context.emulator.requests(), []);
    assert.equal((await context.client.get(reference)).status, 401, 'tokens are forgotten too');
  });

  it('saves the state to a file on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-save-'));
    try {
      const reference = await context.client.payment({}, false);
      const file = join(dir, 'state.json');
      assert.equal((await admin('POST', '/save', { file })).status, 200);
      assert.ok(existsSync(file));
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).payments[0].reference, reference);
      // Without a file and without a stateFile option there is nowhere to save.
      assert.equal((await admin('POST', '/save')).status, 400);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 404 JSON for an unknown admin route and 400 for a body that is not JSON', async () => {
    const unknown = await admin('GET', '/nothing');
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.headers['content-type']), /^application\/json/);
    const answer = await request(`${context.emulator.baseUrl}/emulator/clock/advance`, { method: 'POST', body: '{nope' });
    assert.equal(answer.status, 400);
  });

  it('keeps what a browser asks for outside the API (a favicon) out of the recorded requests and counters', async () => {
    assert.equal((await request(`${context.emulator.baseUrl}/favicon.ico`)).status, 404);
    assert.deepEqual(context.emulator.requests(), []);
    assert.equal(context.emulator.counters().invalidRequests, 0);
  });
});
