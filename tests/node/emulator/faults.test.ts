import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '../../../tools/emulator/index';
import { ApiClient, assertProblem, createBody, errorCode, json, newReference, request, requestHeadersThenBody, useEmulator } from './helpers';

const CREATE = 'POST /epayment/v1/payments';
const GET = 'GET /epayment/v1/payments/{reference}';
const CAPTURE = 'POST /epayment/v1/payments/{reference}/capture';

describe('emulator: injected faults', () => {
  const context = useEmulator({ seed: 42 });
  beforeEach(async () => {
    await context.client.fetchToken();
  });

  describe('status', () => {
    it('answers the given status as problem+json with Retry-After, without acting (processed: false by default), once', async () => {
      const { client, emulator } = context;
      emulator.injectFault({ route: CREATE, kind: 'status', status: 503, retryAfterSeconds: 7 });
      const reference = newReference();
      const answer = await client.create(createBody(reference));
      assertProblem(answer, 503);
      assert.equal(answer.headers['retry-after'], '7');
      assert.equal(emulator.payment(reference), undefined, 'the payment was not created');
      assert.equal((await client.create(createBody(reference))).status, 201, 'times defaults to 1');
    });

    it('with processed: true the operation happens and only the answer is an error', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: CAPTURE, kind: 'status', status: 500, processed: true });
      assertProblem(await client.capture(reference, 2500), 500);
      assert.equal(emulator.payment(reference)!.aggregate.capturedAmount.value, 2500);
      // The retry with the same key gets the original (successful) answer and captures nothing more.
      assert.equal((await client.capture(reference, 2500)).status, 200);
      assert.equal(emulator.payment(reference)!.aggregate.capturedAmount.value, 2500);
    });

    it('carries an ErrorCode for 423 and 429 when asked', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: GET, kind: 'status', status: 423, errorCode: '6160' });
      emulator.injectFault({ route: GET, kind: 'status', status: 429, retryAfterSeconds: 2 });
      const locked = await client.get(reference);
      assertProblem(locked, 423, '6160');
      const slowDown = await client.get(reference);
      assertProblem(slowDown, 429);
      assert.equal(slowDown.headers['retry-after'], '2');
      assert.equal(errorCode(slowDown), undefined);
      assert.equal((await client.get(reference)).status, 200);
    });
  });

  describe('latency', () => {
    it('delays the answer and then answers normally', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: GET, kind: 'latency', delayMs: 250 });
      const answer = await client.get(reference);
      assert.equal(answer.status, 200);
      assert.ok(answer.elapsedMs >= 240, `${answer.elapsedMs} ms`);
      const next = await client.get(reference);
      assert.ok(next.elapsedMs < 200, `${next.elapsedMs} ms`);
    });
  });

  describe('connection reset', () => {
    it('before the headers: the client gets a transport error and, by default, nothing happened', async () => {
      const { client, emulator } = context;
      emulator.injectFault({ route: CREATE, kind: 'reset-before-headers' });
      const reference = newReference();
      await assert.rejects(client.create(createBody(reference)), (error: NodeJS.ErrnoException) => ['ECONNRESET', 'EPIPE'].includes(error.code ?? '') || /socket hang up/.test(error.message));
      assert.equal(emulator.payment(reference), undefined);
      assert.equal(emulator.requests().at(-1)!.status, 0);
    });

    it('before the headers with processed: true: the service did it, the answer was lost', async () => {
      const { client, emulator } = context;
      emulator.injectFault({ route: CREATE, kind: 'reset-before-headers', processed: true });
      const reference = newReference();
      await assert.rejects(client.create(createBody(reference)));
      assert.equal(emulator.payment(reference)!.state, 'CREATED');
      // The retry under the same key gets the original answer.
      const retry = await client.create(createBody(reference));
      assert.equal(retry.status, 201);
    });

    it('after the headers: the status arrives, the body does not; the operation took effect', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: CAPTURE, kind: 'reset-after-headers' });
      const answer = await requestHeadersThenBody(`${emulator.baseUrl}/epayment/v1/payments/${reference}/capture`, {
        method: 'POST',
        headers: client.headers({ 'Content-Type': 'application/json', 'Idempotency-Key': 'k' }),
        body: JSON.stringify({ modificationAmount: { currency: 'NOK', value: 2500 } }),
      });
      assert.equal(answer.status, 200);
      assert.ok(Number(answer.headers['content-length']) > 0);
      assert.ok((await answer.bodyError) instanceof Error, 'the body never completes');
      assert.equal(emulator.payment(reference)!.aggregate.capturedAmount.value, 2500);
    });
  });

  describe('damaged bodies', () => {
    it('truncated JSON: a well-framed answer whose JSON stops half-way (operation processed)', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: CAPTURE, kind: 'truncated-json' });
      const answer = await client.capture(reference, 1000);
      assert.equal(answer.status, 200);
      assert.equal(Number(answer.headers['content-length']), Buffer.byteLength(answer.body));
      assert.throws(() => JSON.parse(answer.body));
      const whole = (await client.capture(reference, 1000)).body;
      assert.ok(whole.startsWith(answer.body.slice(0, 20)));
      assert.equal(emulator.payment(reference)!.aggregate.capturedAmount.value, 1000);
    });

    it('truncated JSON with processed: false leaves no trace of the operation', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: CAPTURE, kind: 'truncated-json', processed: false });
      const answer = await client.capture(reference, 1000);
      assert.throws(() => JSON.parse(answer.body));
      assert.equal(emulator.payment(reference)!.aggregate.capturedAmount.value, 0);
      assert.equal(emulator.payment(reference)!.events.length, 2);
      // Not even the idempotency key is remembered.
      assert.equal(json((await client.capture(reference, 1000))).aggregate.capturedAmount.value, 1000);
    });

    it('malformed JSON: complete, same Content-Type, but no parser accepts it', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: GET, kind: 'malformed-json' });
      const answer = await client.get(reference);
      assert.equal(answer.status, 200);
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      assert.throws(() => JSON.parse(answer.body));
    });

    it('oversized body: still valid JSON, padded to the given size', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: GET, kind: 'oversized-body', sizeBytes: 256 * 1024 });
      const answer = await client.get(reference);
      assert.equal(Buffer.byteLength(answer.body), 256 * 1024);
      assert.equal(json(answer).state, 'AUTHORIZED');
      emulator.injectFault({ route: GET, kind: 'oversized-body' });
      assert.ok(Buffer.byteLength((await client.get(reference)).body) >= 1024 * 1024, 'one mebibyte by default');
    });

    it('slow drip: the whole answer, a few bytes at a time', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: GET, kind: 'slow-drip', chunkBytes: 64, delayMs: 30 });
      const answer = await client.get(reference);
      assert.equal(json(answer).state, 'AUTHORIZED');
      const chunks = Math.ceil(Buffer.byteLength(answer.body) / 64);
      assert.ok(answer.chunks >= chunks - 1, `${answer.chunks} chunks`);
      assert.ok(answer.elapsedMs >= (chunks - 1) * 30, `${answer.elapsedMs} ms for ${chunks} chunks`);
    });
  });

  describe('selection', () => {
    it('skips, then hits `times` requests, then lets the rest through', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: GET, kind: 'status', status: 502, skip: 1, times: 2 });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await client.get(reference)).status);
      assert.deepEqual(statuses, [200, 502, 502, 200, 200]);
    });

    it('times: Infinity hits every matching request until cleared; other routes are untouched', async () => {
      const { client, emulator } = context;
      const reference = await client.payment();
      emulator.injectFault({ route: GET, kind: 'status', status: 500, times: Infinity });
      for (let i = 0; i < 3; i++) assertProblem(await client.get(reference), 500);
      assert.equal((await client.events(reference)).status, 200);
      emulator.clearFaults();
      assert.equal((await client.get(reference)).status, 200);
    });

    it("'*' matches every API route, the token call included", async () => {
      const { client, emulator } = context;
      emulator.injectFault({ route: '*', kind: 'status', status: 503, times: 2 });
      assertProblem(await client.fetchToken(), 503);
      assertProblem(await client.get(newReference()), 503);
      assert.equal((await client.fetchToken()).status, 200);
    });

    it('refuses an unknown route or kind', () => {
      assert.throws(() => context.emulator.injectFault({ route: 'GET /epayment/v1/nothing', kind: 'status' }), /unknown route/);
      assert.throws(() => context.emulator.injectFault({ route: '*', kind: 'explode' as 'status' }), /unknown fault kind/);
    });
  });

  describe('HTTPS', () => {
    it('resets a TLS connection too', async () => {
      const emulator = await startEmulator({ httpsPort: 0 });
      try {
        const client = new ApiClient(emulator, emulator.httpsBaseUrl, { ca: emulator.rootCertificatePem });
        await client.fetchToken();
        emulator.injectFault({ route: GET, kind: 'reset-before-headers' });
        await assert.rejects(client.get(newReference()));
        assert.equal((await client.get(newReference())).status, 404);
      } finally {
        await emulator.close();
      }
    });
  });
});

describe('emulator: probabilistic faults with a seed', () => {
  async function pattern(seed: number): Promise<number[]> {
    const emulator: Emulator = await startEmulator({ seed });
    try {
      const client = new ApiClient(emulator);
      const reference = await client.payment();
      emulator.injectFault({ route: GET, kind: 'status', status: 503, probability: 0.5, times: Infinity });
      const statuses = [];
      for (let i = 0; i < 24; i++) statuses.push((await client.get(reference)).status);
      assert.deepEqual(emulator.responseValidationErrors(), []);
      return statuses;
    } finally {
      await emulator.close();
    }
  }

  it('gives the same faults for the same seed, and a mix of both outcomes', async () => {
    const first = await pattern(7);
    assert.deepEqual(await pattern(7), first);
    assert.ok(first.includes(200) && first.includes(503), first.join(' '));
    assert.notDeepEqual(await pattern(8), first);
  });

  it('can be driven through the admin API, times "Infinity" included', async () => {
    const emulator = await startEmulator({ seed: 1 });
    try {
      const armed = await request(`${emulator.baseUrl}/emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ route: GET, kind: 'status', status: 502, times: 'Infinity' }) });
      assert.equal(armed.status, 201);
      assert.equal(json<Array<{ times: unknown }>>(armed)[0]!.times, 'Infinity');
      const client = new ApiClient(emulator);
      const reference = await client.payment();
      assertProblem(await client.get(reference), 502);
      assertProblem(await client.get(reference), 502);
      assert.equal((await request(`${emulator.baseUrl}/emulator/faults`, { method: 'DELETE' })).status, 200);
      assert.equal((await client.get(reference)).status, 200);
    } finally {
      await emulator.close();
    }
  });
});
