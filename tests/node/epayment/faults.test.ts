// Every fault the emulator can inject, on the routes that matter. A retried capture never captures
// twice (the emulator's aggregate is the proof); an error, a timeout or a damaged body is never
// turned into a state.
import assert from 'node:assert/strict';
import { ApiError, EpaymentError, TransportError, UnexpectedResponseError } from 'epayment/errors';
import { pollUntilFinal } from 'epayment/poll';
import { systemClock } from '../../../hosts/node/system-clock';
import type { FaultSpec } from '../../../tools/emulator/index';
import { NOK, assertAllValid, failure, newReference, saleInput, startRig, type Rig } from './support';

const CAPTURE = 'POST /epayment/v1/payments/{reference}/capture';
const GET = 'GET /epayment/v1/payments/{reference}';
const CREATE = 'POST /epayment/v1/payments';
const TOKEN = 'POST /accesstoken/get';

type Fault = Omit<FaultSpec, 'route'>;

// Each capture fault with the outcome the first try meets. Body of a capture answer: ~400 bytes,
// so a 16-byte drip every 100 ms takes 2.5 s, over the 1 s request timeout.
const CAPTURE_FAULTS: [string, Fault][] = [
  ['latency under the timeout', { kind: 'latency', delayMs: 300 }],
  ['latency over the timeout (the capture runs after the client gave up)', { kind: 'latency', delayMs: 1_300 }],
  ['500', { kind: 'status', status: 500 }],
  ['502', { kind: 'status', status: 502 }],
  ['503 with Retry-After', { kind: 'status', status: 503, retryAfterSeconds: 1 }],
  ['423 locked', { kind: 'status', status: 423 }],
  ['409 ErrorCode 6280', { kind: 'status', status: 409, errorCode: '6280' }],
  ['429 with Retry-After', { kind: 'status', status: 429, retryAfterSeconds: 1 }],
  ['a 500 after the capture was done', { kind: 'status', status: 500, processed: true }],
  ['reset before headers, not processed', { kind: 'reset-before-headers' }],
  ['reset before headers, processed (the answer was lost)', { kind: 'reset-before-headers', processed: true }],
  ['reset after headers (processed)', { kind: 'reset-after-headers' }],
  ['truncated JSON (processed)', { kind: 'truncated-json' }],
  ['malformed JSON (processed)', { kind: 'malformed-json' }],
  ['oversized body (processed)', { kind: 'oversized-body' }],
  ['slow drip over the timeout (processed)', { kind: 'slow-drip', delayMs: 100 }],
  ['slow drip within the timeout', { kind: 'slow-drip', delayMs: 2, chunkBytes: 64 }],
  ['two faults in a row: reset then truncated', { kind: 'reset-after-headers', times: 1 }],
];

describe('epayment client against the emulator: faults', function () {
  this.timeout(30_000);
  let rig: Rig;

  before(async () => {
    rig = await startRig();
    await rig.client.warmUp();
  });
  after(async () => {
    await rig.close();
  });
  afterEach(() => {
    rig.emulator.clearFaults();
    assertAllValid(rig.emulator);
  });

  async function authorized(prefix: string): Promise<string> {
    const reference = newReference(prefix);
    await rig.client.createPayment(saleInput(reference));
    rig.emulator.approve(reference);
    return reference;
  }

  for (const [name, fault] of CAPTURE_FAULTS) {
    it(`capture through ${name}: captured exactly once`, async () => {
      const { client, emulator } = rig;
      const reference = await authorized('capfault');
      emulator.injectFault({ route: CAPTURE, ...fault });
      if (name.startsWith('two faults')) emulator.injectFault({ route: CAPTURE, kind: 'truncated-json', skip: 1 });
      const captured = await client.capture(reference, NOK(2500));
      assert.deepEqual(captured.aggregate.capturedAmount, NOK(2500));
      const payment = emulator.payment(reference)!;
      assert.deepEqual(payment.aggregate.capturedAmount, NOK(2500), 'the emulator saw one capture');
      assert.equal(payment.events.filter((e) => e.name === 'CAPTURED' && e.success).length, 1);
      const tries = emulator.requests().filter((r) => r.path.endsWith(`${reference}/capture`));
      assert.equal(tries.length > 1, !name.includes('within') && !name.includes('under'), `${tries.length} tries`);
      const keys = new Set(tries.map((r) => r.headers['idempotency-key']));
      assert.deepEqual([...keys], [`capture-2500-${reference}`], 'every try carried the same key');
    });
  }

  it('429 with Retry-After: the retry waits as told', async () => {
    const reference = await authorized('retryafter');
    rig.emulator.injectFault({ route: CAPTURE, kind: 'status', status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    await rig.client.capture(reference, NOK(2500));
    assert.ok(Date.now() - started >= 1_000, `${Date.now() - started} ms`);
  });

  it('a 429 storm on capture: backs off, gives up with 429 after the last try, nothing captured twice', async () => {
    const reference = await authorized('storm');
    rig.emulator.injectFault({ route: CAPTURE, kind: 'status', status: 429, times: Infinity });
    const error = await failure(rig.client.capture(reference, NOK(2500)));
    assert.ok(error instanceof ApiError && error.status === 429);
    assert.equal(rig.emulator.requests().filter((r) => r.path.endsWith(`${reference}/capture`)).length, 4);
    rig.emulator.clearFaults();
    await rig.client.capture(reference, NOK(2500));
    assert.deepEqual(rig.emulator.payment(reference)?.aggregate.capturedAmount, NOK(2500));
  });

  it('a 429 storm while polling: reads slow down, errors are no state, the poll still ends at AUTHORIZED', async () => {
    const reference = newReference('pollstorm');
    await rig.client.createPayment(saleInput(reference));
    rig.emulator.injectFault({ route: GET, kind: 'status', status: 429, times: 5 });
    const errors: unknown[] = [];
    const states: string[] = [];
    const started = Date.now();
    const poll = pollUntilFinal(rig.client, reference, { clock: systemClock, firstDelayMs: 0, intervalMs: 500, maxIntervalMs: 1_000, onError: (e) => errors.push(e), onState: (s) => states.push(s.state) });
    rig.emulator.approve(reference);
    const final = await poll.result;
    assert.equal(final.state, 'AUTHORIZED');
    assert.equal(errors.length, 5);
    assert.ok(errors.every((e) => e instanceof ApiError && e.status === 429));
    assert.deepEqual(states, ['AUTHORIZED']);
    // Each 429 doubles the 500 ms interval, capped here at 1 s: five waits of 1 s, where 500 ms would do.
    assert.ok(Date.now() - started >= 5_000, `${Date.now() - started} ms`);
    assert.equal(poll.reads, 6);
  });

  it('create through a reset after it was processed: one payment, the same QR', async () => {
    const reference = newReference('createreset');
    rig.emulator.injectFault({ route: CREATE, kind: 'reset-after-headers' });
    const created = await rig.client.createPayment(saleInput(reference));
    assert.equal(created.redirectUrl, rig.emulator.payment(reference)?.redirectUrl);
    assert.equal(rig.emulator.payment(reference)?.events.filter((e) => e.name === 'CREATED').length, 1);
  });

  it('status reads through each fault (one try): a typed error or the true state, never a made-up state', async () => {
    const reference = await authorized('getfault');
    const expectations: [Fault, (e: unknown) => boolean][] = [
      [{ kind: 'status', status: 500 }, (e) => e instanceof ApiError && e.status === 500],
      [{ kind: 'status', status: 429 }, (e) => e instanceof ApiError && e.status === 429],
      [{ kind: 'reset-before-headers' }, (e) => e instanceof TransportError && e.kind === 'network'],
      [{ kind: 'reset-after-headers' }, (e) => e instanceof TransportError && e.kind === 'network'],
      [{ kind: 'truncated-json' }, (e) => e instanceof UnexpectedResponseError && e.reason === 'unparseable'],
      [{ kind: 'malformed-json' }, (e) => e instanceof UnexpectedResponseError && e.reason === 'unparseable'],
      [{ kind: 'oversized-body' }, (e) => e instanceof TransportError && e.kind === 'too-large'],
      [{ kind: 'slow-drip', delayMs: 100 }, (e) => e instanceof TransportError && e.kind === 'timeout'],
      [{ kind: 'latency', delayMs: 1_300 }, (e) => e instanceof TransportError && e.kind === 'timeout'],
    ];
    for (const [fault, check] of expectations) {
      rig.emulator.injectFault({ route: GET, ...fault });
      const error = await failure(rig.client.getPayment(reference, { attempts: 1 }));
      assert.ok(check(error), `${fault.kind}: ${String(error)}`);
      rig.emulator.clearFaults();
      assert.equal((await rig.client.getPayment(reference)).state, 'AUTHORIZED', `after ${fault.kind}`);
    }
    rig.emulator.injectFault({ route: GET, kind: 'latency', delayMs: 200 });
    assert.equal((await rig.client.getPayment(reference, { attempts: 1 })).state, 'AUTHORIZED');
  });

  it('the token endpoint through each fault: warm-up retries until it has a token', async () => {
    for (const fault of [
      { kind: 'status', status: 503 },
      { kind: 'reset-before-headers' },
      { kind: 'reset-after-headers' },
      { kind: 'truncated-json' },
      { kind: 'malformed-json' },
      { kind: 'oversized-body' },
      { kind: 'slow-drip', delayMs: 200 },
    ] as Fault[]) {
      const { client } = rig.newClient();
      rig.emulator.injectFault({ route: TOKEN, ...fault });
      await client.warmUp();
      assert.ok(client.tokenFreshForMs() > 0, fault.kind);
      assert.equal(client.stats.tokenFetches, 1);
    }
  });

  it('bad credentials: 401 from the token endpoint, no retries', async () => {
    const { client } = rig.newClient({ credentials: { ...rig.emulator.credentials, clientSecret: 'wrong-secret-value' } });
    rig.emulator.resetCounters();
    const error = await failure(client.warmUp());
    assert.ok(error instanceof ApiError && error.status === 401, String(error));
    assert.equal(rig.emulator.counters().requests[TOKEN], 1);
  });

  it('chaos: random faults on every route, twenty sales, each captured exactly once', async () => {
    const kinds: Fault[] = [
      { kind: 'status', status: 503, probability: 0.1, times: Infinity },
      { kind: 'reset-after-headers', probability: 0.1, times: Infinity },
      { kind: 'reset-before-headers', probability: 0.05, times: Infinity, processed: true },
      { kind: 'truncated-json', probability: 0.05, times: Infinity },
    ];
    const { client } = rig.newClient({ retry: { attempts: 8, baseDelayMs: 10, maxDelayMs: 100 } });
    for (const fault of kinds) rig.emulator.injectFault({ route: '*', ...fault });
    const references: string[] = [];
    for (let i = 0; i < 20; i++) {
      const reference = newReference('chaos');
      references.push(reference);
      await client.createPayment(saleInput(reference, 1000 + i));
      rig.emulator.approve(reference);
      assert.equal((await client.getPayment(reference)).state, 'AUTHORIZED');
      await client.capture(reference, NOK(1000 + i));
    }
    rig.emulator.clearFaults();
    for (const [i, reference] of references.entries()) {
      const payment = rig.emulator.payment(reference)!;
      assert.deepEqual(payment.aggregate.capturedAmount, NOK(1000 + i));
      assert.equal(payment.events.filter((e) => e.name === 'CAPTURED').length, 1);
    }
    const faulted = rig.emulator.requests().filter((r) => r.status === 0 || r.status >= 500).length;
    assert.ok(faulted > 0, 'the chaos did hit some requests');
  });

  it('never leaves a request without an end: every failure is an EpaymentError', async () => {
    const reference = await authorized('typed');
    rig.emulator.injectFault({ route: '*', kind: 'reset-before-headers', times: Infinity });
    for (const call of [() => rig.client.getPayment(reference), () => rig.client.getEvents(reference), () => rig.client.capture(reference, NOK(2500)), () => rig.client.cancel(reference)]) {
      const error = await failure(call());
      assert.ok(error instanceof EpaymentError && error.kind === 'network', String(error));
    }
    assert.deepEqual(rig.emulator.payment(reference)?.aggregate.capturedAmount, NOK(0));
  });
});
