// Retries: network errors, 5xx, 423 and the "try again" ErrorCodes are retried with backoff and
// the same idempotency key; 429 waits (Retry-After when sent); other 4xx are final.
import assert from 'node:assert/strict';
import { EpaymentClient } from 'epayment/client';
import { DEFAULT_RETRY } from 'epayment/config';
import { ApiError, ERROR_CODES, TransportError, UnexpectedResponseError, isApiError } from 'epayment/errors';
import { isRetryable, retryDelayMs } from 'epayment/retry';
import { FakeService, drive, problem, testConfig } from './epayment-fakes';

const REF = 'retry-test-0001';
const NOK = { currency: 'NOK' as const, value: 2500 };

describe('epayment retries', () => {
  let service: FakeService;
  let client: EpaymentClient;

  beforeEach(async () => {
    service = new FakeService();
    client = new EpaymentClient(testConfig(), service, service.clock);
    await client.createPayment({ reference: REF, amount: NOK, description: 'Ear buds' });
    service.setState(REF, 'AUTHORIZED');
  });

  it('retries a capture through 5xx, a reset and a timeout with the same idempotency key', async () => {
    service.script('capture', problem(503), new TransportError('network', 'reset'), 'hang');
    const status = await drive(service.clock, client.capture(REF, NOK));
    assert.equal(status.aggregate.capturedAmount.value, 2500);
    const captures = service.of('capture');
    assert.equal(captures.length, 4);
    assert.deepEqual(new Set(captures.map((r) => r.headers['Idempotency-Key'])), new Set([`capture-2500-${REF}`]));
    assert.deepEqual(new Set(captures.map((r) => r.body)), new Set([captures[0].body]));
  });

  it('backs off 500, 1000, 2000 ms between tries (no jitter), and gives up after 4 tries', async () => {
    service.script('get', problem(500), problem(500), problem(500), problem(500), problem(500));
    let error: unknown;
    client.getPayment(REF).catch((e: unknown) => { error = e; });
    const seen: number[] = [];
    for (const step of [0, 499, 1, 999, 1, 1999, 1]) {
      await service.clock.advance(step);
      seen.push(service.count('get'));
    }
    assert.deepEqual(seen, [1, 1, 2, 2, 3, 3, 4]);
    await service.clock.advance(0);
    assert.ok(error instanceof ApiError && error.status === 500);
  });

  it('adds jitter on top of the backoff, capped at maxDelayMs', () => {
    const policy = { ...DEFAULT_RETRY };
    const network = new TransportError('network', 'x');
    assert.equal(retryDelayMs(network, 1, 0, policy, () => 0), 500);
    assert.equal(retryDelayMs(network, 1, 0, policy, () => 1), 600);
    assert.equal(retryDelayMs(network, 10, 0, policy, () => 0), 8000);
  });

  it('retries 423 and the 6160/6280 ErrorCodes', async () => {
    service.script('capture', problem(423), problem(400, '6160'), problem(409, '6280'));
    await drive(service.clock, client.capture(REF, NOK));
    assert.equal(service.count('capture'), 4);
  });

  it('retries 6280 "Capture failed, please try again later" at 400, and a capture then succeeds', async () => {
    assert.ok(DEFAULT_RETRY.retryableCodes.includes('6280'));
    service.script('capture', problem(400, '6280'), problem(400, '6280'));
    const status = await drive(service.clock, client.capture(REF, NOK));
    assert.equal(status.aggregate.capturedAmount.value, 2500);
    assert.equal(service.count('capture'), 3);
    assert.deepEqual(new Set(service.of('capture').map((r) => r.headers['Idempotency-Key'])), new Set([`capture-2500-${REF}`]));
  });

  it('does not retry 6260 "Funds unavailable", whatever the status: the caller gets it at once', async () => {
    for (const status of [400, 409, 500, 503]) {
      const before = service.count('capture');
      service.script('capture', problem(status, ERROR_CODES.fundsUnavailable));
      await assert.rejects(client.capture(REF, NOK), (e: unknown) => isApiError(e, status, '6260'));
      assert.equal(service.count('capture') - before, 1, `HTTP ${status}`);
    }
    assert.ok(!isRetryable(new ApiError('x', 503, { code: '6260' }), DEFAULT_RETRY));
    assert.ok(isRetryable(new ApiError('x', 503, { code: '6261' }), DEFAULT_RETRY));
  });

  it('does not retry other 4xx: 400, 403, 404, 409, 422', async () => {
    for (const status of [400, 403, 404, 409, 422]) {
      const before = service.count('capture');
      service.script('capture', problem(status, '6080'));
      await assert.rejects(client.capture(REF, NOK), (e: unknown) => e instanceof ApiError && e.status === status);
      assert.equal(service.count('capture') - before, 1, `HTTP ${status}`);
    }
  });

  it('counts the tries nothing answered: resets, timeouts and gateways (502/504) may still reach the service, a 500 or 503 is its answer', async () => {
    const failed = async (...answers: Parameters<FakeService['script']>[1][]) => {
      service.script('capture', ...answers);
      return drive(service.clock, client.capture(REF, NOK)).then(() => assert.fail('should fail'), (e: unknown) => e as ApiError);
    };
    assert.equal((await failed(problem(500), problem(503), problem(500), problem(500))).unansweredTries, 0);
    assert.equal((await failed(problem(500), problem(502), problem(504), problem(500))).unansweredTries, 2);
    assert.equal((await failed(new TransportError('network', 'reset'), 'hang', problem(500), problem(500))).unansweredTries, 2);
    assert.equal((await failed(problem(409))).unansweredTries, 0, 'a final answer at the first try');
  });

  it('honours Retry-After on 429', async () => {
    service.script('get', problem(429, undefined, { 'retry-after': '7' }));
    const pending = client.getPayment(REF);
    await service.clock.advance(6_999);
    assert.equal(service.count('get'), 1);
    await service.clock.advance(1);
    assert.equal(service.count('get'), 2);
    assert.equal((await pending).state, 'AUTHORIZED');
  });

  it('without Retry-After, 429s in a row wait 2, 4, 8 s', async () => {
    service.script('get', problem(429), problem(429), problem(429));
    const pending = client.getPayment(REF);
    const seen: number[] = [];
    for (const step of [1_999, 1, 3_999, 1, 7_999, 1]) {
      await service.clock.advance(step);
      seen.push(service.count('get'));
    }
    assert.deepEqual(seen, [1, 2, 2, 3, 3, 4]);
    assert.equal((await pending).state, 'AUTHORIZED');
  });

  it('told to wait longer than maxRetryAfterMs, fails with the 429 at once instead of waiting', async () => {
    service.script('capture', problem(429, undefined, { 'retry-after': '3600' }));
    await assert.rejects(client.capture(REF, NOK), (e: unknown) => e instanceof ApiError && e.status === 429 && e.retryAfterMs === 3_600_000);
    assert.equal(service.count('capture'), 1);
    assert.equal(retryDelayMs(new ApiError('x', 503, { retryAfterMs: 2_000 }), 1, 0, DEFAULT_RETRY, () => 0), 2_000);
  });

  it('classifies failures: unparseable and too-large retried, wrong shapes and 4xx not', () => {
    assert.ok(isRetryable(new TransportError('too-large', 'x'), DEFAULT_RETRY));
    assert.ok(isRetryable(new TransportError('timeout', 'x'), DEFAULT_RETRY));
    assert.ok(isRetryable(new UnexpectedResponseError('x', 'unparseable', 200), DEFAULT_RETRY));
    assert.ok(!isRetryable(new UnexpectedResponseError('x', 'shape', 200), DEFAULT_RETRY));
    assert.ok(!isRetryable(new ApiError('x', 400, { code: '6060' }), DEFAULT_RETRY));
    assert.ok(isRetryable(new ApiError('x', 502), DEFAULT_RETRY));
    assert.ok(!isRetryable(new Error('x'), DEFAULT_RETRY));
  });

  it('a per-call attempts limit overrides the policy', async () => {
    service.script('get', problem(503), problem(503));
    await assert.rejects(client.getPayment(REF, { attempts: 1 }), (e: unknown) => e instanceof ApiError && e.status === 503);
    assert.equal(service.count('get'), 1);
  });

  it('every try has its own timeout', async () => {
    service.script('get', 'hang', 'hang');
    const pending = client.getPayment(REF);
    await service.clock.advance(10_500);
    assert.equal(service.count('get'), 1);
    await service.clock.advance(500); // + backoff
    assert.equal(service.count('get'), 2);
    await service.clock.advance(10_500 + 1_000);
    assert.equal(service.count('get'), 3);
    assert.equal((await pending).state, 'AUTHORIZED');
  });
});
