// Access token: fetched once and shared, renewed ahead of expiry and once on a 401, concurrent
// callers share one renewal, warm-up fetches it off the customer's path.
import assert from 'node:assert/strict';
import { EpaymentClient } from 'epayment/client';
import { ApiError, TransportError, UnexpectedResponseError } from 'epayment/errors';
import { readToken } from 'epayment/responses';
import { settle } from '../support/manual-clock';
import { FakeService, drive, json, problem, testConfig } from './epayment-fakes';

const REF = 'token-test-0001';

describe('epayment access token', () => {
  let service: FakeService;
  let client: EpaymentClient;

  beforeEach(() => {
    service = new FakeService();
    client = new EpaymentClient(testConfig(), service, service.clock);
  });

  /** A create with a deadline, and the clock time it settled at (its error, if any, is the value). */
  const createWithDeadline = (deadlineMs: number) => {
    const started = service.clock.now();
    let settledAt = 0;
    const create = client.createPayment({ reference: REF, amount: { currency: 'NOK', value: 2500 }, description: 'Ear buds' }, { deadlineMs })
      .catch((e: unknown) => e)
      .finally(() => { settledAt = service.clock.now(); });
    return { started, create, settledAt: () => settledAt };
  };

  it('asks for the token with the four credentials, an empty body and no Authorization', async () => {
    await client.warmUp();
    const [request] = service.of('token');
    assert.equal(request.method, 'POST');
    assert.equal(request.url, 'https://api.example.test/accesstoken/get');
    assert.equal(request.body, undefined);
    assert.equal(request.headers.client_id, 'client-id-0001');
    assert.equal(request.headers.client_secret, 'SECRET-client-secret-value');
    assert.equal(request.headers['Ocp-Apim-Subscription-Key'], 'SECRET-subscription-key-value');
    assert.equal(request.headers['Merchant-Serial-Number'], '123456');
    assert.equal(request.headers.Authorization, undefined);
  });

  it('warm-up fetches the token so the sale itself sends only the create', async () => {
    await client.warmUp();
    assert.ok(client.tokenFreshForMs() > 0);
    const before = service.requests.length;
    await client.createPayment({ reference: REF, amount: { currency: 'NOK', value: 2500 }, description: 'Ear buds' });
    assert.equal(service.requests.length - before, 1);
    assert.equal(service.count('token'), 1);
  });

  it('uses the cached token for later calls and sends it as a Bearer token', async () => {
    await client.createPayment({ reference: REF, amount: { currency: 'NOK', value: 2500 }, description: 'Ear buds' });
    await client.getPayment(REF);
    await client.getPayment(REF);
    assert.equal(service.count('token'), 1);
    for (const request of service.of('get')) assert.match(request.headers.Authorization, /^Bearer tok-1-x+$/);
  });

  it('renews ahead of expiry: 5 minutes before, or at half the lifetime when that is shorter', async () => {
    await client.warmUp();
    await service.clock.advance(3600_000 - 300_000 - 1000);
    await client.warmUp();
    assert.equal(service.count('token'), 1, 'still fresh before the renewal window');
    await service.clock.advance(2000);
    await client.getPayment(REF).catch(() => {});
    assert.equal(service.count('token'), 1, 'a call inside the window starts no renewal');
    await client.warmUp();
    assert.equal(service.count('token'), 2, 'the warm-up renews inside the window');

    service.tokenLifetimeSeconds = 60;
    const short = new EpaymentClient(testConfig(), service, service.clock);
    await short.warmUp();
    assert.equal(short.tokenFreshForMs(), 30_000);
  });

  it('parses string-typed expires_in and takes the shorter of it and expires_on - not_before', () => {
    const base = { token_type: 'Bearer', access_token: 'abc.def.ghi' };
    assert.equal(readToken({ ...base, expires_in: '3600', expires_on: '1700003600', not_before: '1700000000' }, 200).lifetimeMs, 3_600_000);
    assert.equal(readToken({ ...base, expires_in: '86400', expires_on: '1700000600', not_before: '1700000000' }, 200).lifetimeMs, 600_000);
    assert.equal(readToken({ ...base, expires_on: '1700000900', not_before: '1700000000' }, 200).lifetimeMs, 900_000);
    assert.equal(readToken({ ...base, expires_in: 120 }, 200).lifetimeMs, 120_000);
    assert.throws(() => readToken({ ...base, expires_in: 'soon' }, 200), UnexpectedResponseError);
    assert.throws(() => readToken({ ...base, expires_in: '60', expires_on: 'tomorrow' }, 200), UnexpectedResponseError);
    assert.throws(() => readToken({ ...base, expires_in: '3600', token_type: 'MAC' }, 200), UnexpectedResponseError);
    assert.throws(() => readToken({ token_type: 'Bearer', expires_in: '3600', access_token: '' }, 200), UnexpectedResponseError);
    assert.throws(() => readToken({ token_type: 'Bearer', expires_in: '3600', access_token: 'a\r\nX-Evil: 1' }, 200), UnexpectedResponseError);
  });

  it('an expired token is dropped and a new one fetched before the call', async () => {
    await client.warmUp();
    await service.clock.advance(3600_000 + 1);
    service.validTokens.clear();
    service.script('token', json(200, { token_type: 'Bearer', expires_in: '3600', access_token: 'fresh-token-value' }));
    service.validTokens.add('fresh-token-value');
    await client.createPayment({ reference: REF, amount: { currency: 'NOK', value: 2500 }, description: 'Ear buds' });
    assert.equal(service.of('create')[0].headers.Authorization, 'Bearer fresh-token-value');
  });

  it('renews once on a 401 and repeats the call with the new token', async () => {
    await client.createPayment({ reference: REF, amount: { currency: 'NOK', value: 2500 }, description: 'Ear buds' });
    service.validTokens.clear(); // revoked
    const status = await client.getPayment(REF);
    assert.equal(status.state, 'CREATED');
    assert.equal(service.count('token'), 2);
    const gets = service.of('get');
    assert.equal(gets.length, 2);
    assert.notEqual(gets[0].headers.Authorization, gets[1].headers.Authorization);
  });

  it('a second 401 is an ApiError, not an endless renewal loop', async () => {
    await client.warmUp();
    service.script('get', problem(401), problem(401), problem(401));
    await assert.rejects(client.getPayment(REF), (error: unknown) => error instanceof ApiError && error.status === 401);
    assert.equal(service.count('token'), 2);
    assert.equal(service.count('get'), 2);
  });

  it('concurrent callers share one token request, and one renewal after a 401', async () => {
    service.script('token', () => new Promise((resolve) => service.clock.setTimeout(() => resolve(json(200, { token_type: 'Bearer', expires_in: '3600', access_token: 'shared-token-1' })), 200)));
    service.validTokens.add('shared-token-1');
    const create = client.createPayment({ reference: REF, amount: { currency: 'NOK', value: 2500 }, description: 'Ear buds' });
    const first = [create, client.warmUp(), client.warmUp()];
    await service.clock.advance(300);
    await Promise.all(first);
    assert.equal(service.count('token'), 1);

    service.validTokens.clear();
    const reads = [client.getPayment(REF), client.getPayment(REF), client.getPayment(REF)];
    await settle();
    const statuses = await Promise.all(reads);
    assert.equal(statuses.length, 3);
    assert.equal(service.count('token'), 2, 'three 401s, one renewal');
  });

  it('a failed renewal inside the renewal window keeps using the still-valid token', async () => {
    await client.warmUp();
    await service.clock.advance(3600_000 - 200_000);
    service.script('token', problem(500), problem(500), problem(500), problem(500));
    const status = await drive(service.clock, client.getPayment(REF).catch((e: unknown) => e));
    assert.ok(status instanceof ApiError && status.status === 404, 'the call went out with the old token');
    assert.equal(service.of('get')[0].headers.Authorization.startsWith('Bearer tok-1-'), true);
  });

  it('bad credentials (401 from the token endpoint) fail at once, without retries', async () => {
    service.script('token', problem(401));
    await assert.rejects(client.warmUp(), (error: unknown) => error instanceof ApiError && error.status === 401 && /access token/.test(error.message));
    assert.equal(service.count('token'), 1);
  });

  it('warm-up retries a token endpoint that is down', async () => {
    service.script('token', new TransportError('network', 'connection refused'), problem(503));
    await drive(service.clock, client.warmUp());
    assert.equal(service.count('token'), 3);
    assert.ok(client.tokenFreshForMs() > 0);
  });

  it('inside the renewal window a call goes out at once with the current token and starts no renewal (one connection: it would sit in front)', async () => {
    await client.warmUp();
    await service.clock.advance(3600_000 - 200_000);
    service.script('token', 'hang', 'hang');
    const started = service.clock.now();
    const answer = client.getPayment(REF).catch((e: unknown) => e);
    await settle();
    assert.equal(service.count('get'), 1, 'sent without waiting for a renewal');
    assert.equal(service.clock.now(), started);
    assert.equal(service.count('token'), 1, 'no renewal beside the call');
    const error = await answer;
    assert.ok(error instanceof ApiError && error.status === 404);
    assert.ok(service.of('get')[0].headers.Authorization.startsWith('Bearer tok-1-'));
  });

  it('an early renewal (the current token still usable) gives up after tokenRenewTimeoutMs, and the current token goes on', async () => {
    const quick = new EpaymentClient(testConfig({ tokenRenewTimeoutMs: 1500 }), service, service.clock);
    await quick.warmUp();
    await service.clock.advance(3600_000 - 200_000);
    service.script('token', 'hang');
    const started = service.clock.now();
    await drive(service.clock, quick.warmUp({ attempts: 1 }));
    // The transport's own timeout, or the client's guard 500 ms after it; far from the 10 s request timeout.
    assert.ok(service.clock.now() - started <= 2000, `gave up after ${service.clock.now() - started} ms`);
    await quick.getPayment(REF).catch(() => {});
    assert.ok(service.of('get').at(-1)!.headers.Authorization.startsWith('Bearer tok-'), 'the current token still used');
    assert.equal(quick.tokenFreshForMs(), 0, 'still due');
  });

  it('an expired token is waited for, but never past the call\'s deadline: no create is sent after it', async () => {
    await client.warmUp();
    await service.clock.advance(3600_000 + 1);
    service.script('token', 'hang', 'hang', 'hang', 'hang');
    const { started, create, settledAt } = createWithDeadline(8_000);
    const error = await drive(service.clock, create);
    assert.ok(error instanceof TransportError && error.kind === 'timeout', String(error));
    assert.ok(settledAt() - started <= 8_000, `gave up after ${settledAt() - started} ms`);
    await service.clock.advance(60_000);
    assert.equal(service.count('create'), 0);
  });

  it('a create with a deadline: its tries and their timeouts end by the deadline', async () => {
    await client.warmUp();
    service.script('create', 'hang', 'hang', 'hang', 'hang');
    const { started, create, settledAt } = createWithDeadline(8_000);
    await drive(service.clock, create);
    assert.ok(settledAt() - started <= 8_000, `gave up after ${settledAt() - started} ms`);
    assert.equal(client.createWindowMs(8_000), 8_000);
    // Without a deadline: every try timing out, a token fetch and a 401 renewal each, and the longest waits.
    assert.equal(client.createWindowMs(), 4 * 4 * 10_500 + 3 * 30_000);
  });
});
