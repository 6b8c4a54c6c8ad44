// Errors are typed and never become a state: problem+json, bare error statuses, network failures,
// timeouts, oversized and unparseable bodies, and answers whose shape breaks the spec.
import assert from 'node:assert/strict';
import { EpaymentClient } from 'epayment/client';
import { ApiError, EpaymentError, TransportError, UnexpectedResponseError, isApiError } from 'epayment/errors';
import type { HttpResponse } from 'epayment/http-transport';
import { FakeService, RecordingLog, SECRETS, drive, json, problem, testConfig } from './epayment-fakes';

const REF = 'errors-test-0001';
const ONE_TRY = { attempts: 1 };

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, got an answer');
}

describe('epayment errors', () => {
  let service: FakeService;
  let client: EpaymentClient;
  let log: RecordingLog;

  beforeEach(async () => {
    service = new FakeService();
    log = new RecordingLog();
    client = new EpaymentClient(testConfig({ log }), service, service.clock);
    await client.createPayment({ reference: REF, amount: { currency: 'NOK', value: 2500 }, description: 'Ear buds' });
  });

  it('turns problem+json into an ApiError with status, ErrorCode, title and trace id', async () => {
    service.script('capture', { status: 400, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify({
      type: 'https://httpstatuses.io/400', title: 'Cannot capture before reservation', status: 400, traceId: '00-abc-01',
      extraDetails: [{ name: 'reference', reason: 'x' }, { name: 'ErrorCode', reason: '6080' }],
    }) });
    const error = await failure(client.capture(REF, { currency: 'NOK', value: 2500 }));
    assert.ok(error instanceof ApiError);
    assert.equal(error.kind, 'api');
    assert.equal(error.status, 400);
    assert.equal(error.code, '6080');
    assert.equal(error.title, 'Cannot capture before reservation');
    assert.equal(error.traceId, '00-abc-01');
    assert.match(error.message, /capture payment: HTTP 400 ErrorCode 6080/);
    assert.ok(isApiError(error, 400, '6080'));
    assert.ok(!isApiError(error, 400, '6060'));
  });

  it('an error status without problem+json is still an ApiError with that status', async () => {
    service.script('get', { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad gateway</html>' });
    const error = await failure(client.getPayment(REF, ONE_TRY));
    assert.ok(error instanceof ApiError && error.status === 502 && error.code === undefined);
  });

  it('network failures become TransportError "network", whatever the transport threw', async () => {
    service.script('get', new TransportError('network', 'connection reset'));
    assert.equal(((await failure(client.getPayment(REF, ONE_TRY))) as EpaymentError).kind, 'network');
    service.script('get', () => { throw new Error('socket hang up'); });
    const error = await failure(client.getPayment(REF, ONE_TRY));
    assert.ok(error instanceof TransportError && error.kind === 'network');
  });

  it('a transport that never answers gives a timeout error after the request timeout', async () => {
    service.script('get', 'hang');
    const outcome: { settled?: unknown } = {};
    client.getPayment(REF, ONE_TRY).then((v) => { outcome.settled = v; }, (e: unknown) => { outcome.settled = e; });
    await service.clock.advance(10_000);
    assert.ok(!('settled' in outcome), 'not before the timeout');
    await service.clock.advance(600);
    const settled = outcome.settled;
    assert.ok(settled instanceof TransportError && settled.kind === 'timeout', String(settled));
    assert.equal(service.of('get')[0].timeoutMs, 10_000);
  });

  it('passes the body limit to the transport and refuses a larger body that slips through', async () => {
    service.script('get', json(200, { padding: 'x'.repeat(20_000) }));
    const error = await failure(client.getPayment(REF, ONE_TRY));
    assert.ok(error instanceof TransportError && error.kind === 'too-large');
    assert.equal(service.of('get')[0].maxResponseBytes, 16_384);
  });

  it('an unparseable 200 (truncated, malformed) is an error, never a state', async () => {
    for (const body of ['{"reference":"errors-test-0001","state":"AUTHORI', 'not json at all', '']) {
      service.script('get', { status: 200, headers: {}, body });
      const error = await failure(client.getPayment(REF, ONE_TRY));
      assert.ok(error instanceof UnexpectedResponseError && error.reason === 'unparseable', body);
    }
  });

  it('a 200 whose shape does not match the spec is an error, never a state', async () => {
    const good = service.view(service.payments.get(REF)!);
    const broken: Record<string, unknown>[] = [
      { ...good, state: 'PAID' },
      { ...good, state: undefined },
      { ...good, state: 'authorized' },
      { ...good, reference: 'someone-elses-ref' },
      { ...good, aggregate: undefined },
      { ...good, aggregate: { ...(good.aggregate as object), capturedAmount: { currency: 'NOK', value: '2500' } } },
      { ...good, amount: { currency: 'NOK', value: 25.5 } },
      { ...good, amount: { currency: 'XYZ', value: 2500 } },
      { ...good, pspReference: 42 },
    ];
    for (const body of broken) {
      service.script('get', json(200, body));
      const error = await failure(client.getPayment(REF));
      assert.ok(error instanceof UnexpectedResponseError && error.reason === 'shape', JSON.stringify(body));
      assert.equal(error.kind, 'unexpected-response');
    }
    service.script('get', json(200, [good]));
    assert.ok((await failure(client.getPayment(REF))) instanceof UnexpectedResponseError);
    assert.equal(service.count('get'), broken.length + 1, 'a wrong shape is not retried');
  });

  it('checks create, events and modification answers too', async () => {
    const create = (reference: string) => client.createPayment({ reference, amount: { currency: 'NOK', value: 2500 }, description: 'Ear buds' });
    service.script('create', json(201, { reference: 'other-ref-0001', redirectUrl: 'https://x.test/' }));
    assert.ok((await failure(create('create-0001'))) instanceof UnexpectedResponseError);
    service.script('create', json(201, { reference: 'create-0002' }));
    assert.ok((await failure(create('create-0002'))) instanceof UnexpectedResponseError);
    service.script('create', json(201, { reference: 'create-0003', redirectUrl: 'not a url' }));
    assert.ok((await failure(create('create-0003'))) instanceof UnexpectedResponseError);
    service.script('events', json(200, { events: [] }));
    assert.ok((await failure(client.getEvents(REF))) instanceof UnexpectedResponseError);
    service.script('events', json(200, [{ reference: REF, pspReference: '1', name: 'PAID', amount: { currency: 'NOK', value: 1 }, timestamp: 't', success: true }]));
    assert.ok((await failure(client.getEvents(REF))) instanceof UnexpectedResponseError);
    service.script('cancel', json(200, { reference: REF }));
    assert.ok((await failure(client.cancel(REF))) instanceof UnexpectedResponseError);
    service.script('get', { status: 204, headers: {}, body: '' });
    const error = await failure(client.getPayment(REF));
    assert.ok(error instanceof UnexpectedResponseError && error.reason === 'status');
  });

  it('reads events with their names, amounts and success flags', async () => {
    const events = await client.getEvents(REF);
    assert.deepEqual(events, [{ reference: REF, pspReference: 'psp-1', name: 'CREATED', amount: { currency: 'NOK', value: 2500 }, timestamp: '2026-01-01T00:00:00Z', success: true, idempotencyKey: `create-${REF}` }]);
  });

  it('no secret appears in any log line or error message, after a run full of failures', async () => {
    const echo = (status: number): HttpResponse => problem(status, '1234', {}, `bad key ${SECRETS.subscriptionKey} / ${SECRETS.clientSecret}`);
    service.script('token', echo(500), new TransportError('network', 'reset'), { status: 200, headers: {}, body: `{"access_token":"${SECRETS.clientSecret}"` }, echo(401));
    const errors: unknown[] = [];
    const catchInto = (p: Promise<unknown>) => drive(service.clock, p.catch((e: unknown) => { errors.push(e); }));
    const fresh = new EpaymentClient(testConfig({ log }), service, service.clock);
    await catchInto(fresh.warmUp());
    await catchInto(fresh.warmUp({ attempts: 1 }));
    service.script('get', echo(503), echo(429), echo(400), 'hang', json(200, { state: 'AUTHORIZED' }));
    for (let i = 0; i < 4; i++) await catchInto(fresh.getPayment(REF, ONE_TRY));
    service.validTokens.clear();
    service.script('get', (request) => problem(403, undefined, {}, `token was ${request.headers.Authorization}`));
    await catchInto(fresh.getPayment(REF));
    service.script('capture', echo(409), new TransportError('too-large', 'big'));
    await catchInto(fresh.capture(REF, { currency: 'NOK', value: 2500 }));
    await catchInto(fresh.capture(REF, { currency: 'NOK', value: 2500 }, ONE_TRY));

    assert.ok(errors.length >= 8, `${errors.length} failures`);
    const tokens = [...service.validTokens, ...[1, 2, 3, 4, 5].map((n) => `tok-${n}-${'x'.repeat(1000)}`)];
    const texts = [...log.lines, ...errors.map((e) => `${(e as Error).name} ${(e as Error).message} ${JSON.stringify(e)}`), JSON.stringify(fresh)];
    assert.ok(log.lines.length > 5);
    for (const text of texts) {
      for (const secret of [SECRETS.clientSecret, SECRETS.subscriptionKey, 'SECRET', ...tokens]) {
        assert.ok(!text.includes(secret), `a secret leaked into: ${text.slice(0, 200)}`);
      }
    }
  });
});
