// Polling: first read 5 s after the QR is shown, then every 2 s, slower after 429, stop at a
// final state; errors are never states; cancel() abandons it.
import assert from 'node:assert/strict';
import { EpaymentClient } from 'epayment/client';
import { EpaymentError, TransportError, UnexpectedResponseError } from 'epayment/errors';
import { pollUntilFinal } from 'epayment/poll';
import type { PaymentState, PaymentStatus } from 'epayment/types';
import { FakeService, json, problem, testConfig } from './epayment-fakes';

const REF = 'poll-test-0001';

describe('epayment polling', () => {
  let service: FakeService;
  let client: EpaymentClient;

  beforeEach(async () => {
    service = new FakeService();
    client = new EpaymentClient(testConfig(), service, service.clock);
    await client.createPayment({ reference: REF, amount: { currency: 'NOK', value: 2500 }, description: 'Ear buds' });
  });

  it('reads first after 5 s, then every 2 s, and stops at AUTHORIZED', async () => {
    const states: PaymentState[] = [];
    const poll = pollUntilFinal(client, REF, { clock: service.clock, onState: (s) => states.push(s.state) });
    const seen: number[] = [];
    for (const step of [4_999, 1, 1_999, 1, 2_000]) {
      await service.clock.advance(step);
      seen.push(service.count('get'));
    }
    assert.deepEqual(seen, [0, 1, 1, 2, 3]);
    service.setState(REF, 'AUTHORIZED');
    await service.clock.advance(2_000);
    const final = await poll.result;
    assert.equal(final.state, 'AUTHORIZED');
    assert.deepEqual(states, ['CREATED', 'CREATED', 'CREATED', 'AUTHORIZED']);
    await service.clock.advance(20_000);
    assert.equal(service.count('get'), 4, 'no reads after a final state');
    assert.equal(poll.reads, 4);
  });

  for (const state of ['ABORTED', 'EXPIRED', 'TERMINATED'] as const) {
    it(`stops at ${state}`, async () => {
      const poll = pollUntilFinal(client, REF, { clock: service.clock });
      service.setState(REF, state);
      await service.clock.advance(5_000);
      assert.equal((await poll.result).state, state);
    });
  }

  it('reads slower after a 429, and not before Retry-After', async () => {
    service.script('get', problem(429, undefined, { 'retry-after': '6' }));
    const errors: unknown[] = [];
    pollUntilFinal(client, REF, { clock: service.clock, onError: (e) => errors.push(e) });
    await service.clock.advance(5_000);
    assert.equal(service.count('get'), 1);
    await service.clock.advance(5_999);
    assert.equal(service.count('get'), 1, 'waits for Retry-After');
    await service.clock.advance(1);
    assert.equal(service.count('get'), 2);
    await service.clock.advance(3_999);
    assert.equal(service.count('get'), 2, 'interval doubled to 4 s');
    await service.clock.advance(1);
    assert.equal(service.count('get'), 3);
    assert.equal(errors.length, 1);
  });

  it('a storm of 429s stays within 120 reads a minute and under the interval ceiling', async () => {
    service.script('get', ...Array.from({ length: 100 }, () => problem(429)));
    pollUntilFinal(client, REF, { clock: service.clock });
    await service.clock.advance(60_000);
    const reads = service.count('get');
    assert.ok(reads <= 120 && reads >= 5, `${reads} reads`);
    const before = service.count('get');
    await service.clock.advance(10_000);
    assert.equal(service.count('get') - before, 1, 'ceiling of 10 s between reads');
  });

  it('errors are never states: transient failures are reported and polling goes on', async () => {
    const states: PaymentStatus[] = [];
    const errors: unknown[] = [];
    const poll = pollUntilFinal(client, REF, { clock: service.clock, onState: (s) => states.push(s), onError: (e) => errors.push(e) });
    service.script('get', problem(500), new TransportError('network', 'reset'), 'hang', { status: 200, headers: {}, body: '{"state":"AUTHORIZED"' });
    await service.clock.advance(5_000 + 2_000 + 4_000 + 8_000 + 10_500);
    assert.equal(states.length, 0);
    assert.ok(errors.length >= 3);
    service.setState(REF, 'AUTHORIZED');
    await service.clock.advance(30_000);
    assert.equal((await poll.result).state, 'AUTHORIZED');
    assert.ok(errors.some((e) => e instanceof TransportError && e.kind === 'timeout'));
  });

  it('a lasting failure (404, a wrong shape) ends the poll with that error, not a state', async () => {
    const poll = pollUntilFinal(client, 'poll-test-unknown', { clock: service.clock });
    await service.clock.advance(5_000);
    await assert.rejects(poll.result, (e: unknown) => e instanceof EpaymentError && e.kind === 'api');

    service.script('get', json(200, { reference: REF, state: 'PAID' }));
    const poll2 = pollUntilFinal(client, REF, { clock: service.clock });
    await service.clock.advance(5_000);
    await assert.rejects(poll2.result, UnexpectedResponseError);
  });

  it('cancel() stops it at once, even with a read in flight', async () => {
    service.script('get', 'hang');
    const poll = pollUntilFinal(client, REF, { clock: service.clock });
    await service.clock.advance(5_000);
    poll.cancel();
    await assert.rejects(poll.result, (e: unknown) => e instanceof EpaymentError && e.kind === 'cancelled');
    service.setState(REF, 'AUTHORIZED');
    await service.clock.advance(60_000);
    assert.equal(service.count('get'), 1);

    const idle = pollUntilFinal(client, REF, { clock: service.clock });
    idle.cancel();
    await service.clock.advance(60_000);
    assert.equal(service.count('get'), 1, 'a poll cancelled before its first read sends nothing');
  });

  it('a deadline ends it with a timeout error, not a state', async () => {
    const poll = pollUntilFinal(client, REF, { clock: service.clock, deadlineMs: 20_000 });
    await service.clock.advance(30_000);
    await assert.rejects(poll.result, (e: unknown) => e instanceof EpaymentError && e.kind === 'timeout');
  });

  it('refuses an interval that would break the rate limit', () => {
    assert.throws(() => pollUntilFinal(client, REF, { clock: service.clock, intervalMs: 400 }), RangeError);
  });
});
