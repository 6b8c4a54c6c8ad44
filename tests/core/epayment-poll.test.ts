// Polling: first read 5 s after the QR is shown, then every 2 s, slower after 429, stop at a
// final state; errors are never states; cancel() abandons it.
import assert from 'node:assert/strict';
import { EpaymentClient } from 'epayment/client';
import { EpaymentError, TransportError, UnexpectedResponseError } from 'epayment/errors';
import { pollUntilFinal, type StatusReader } from 'epayment/poll';
import type { PaymentState, PaymentStatus } from 'epayment/types';
import { FakeService, json, problem, testConfig } from './epayment-fakes';

const REF = 'poll-test-0001';

/** A reader whose answers the test hands out by hand; until then a read hangs. */
class HandReader implements StatusReader {
  readonly pending: Array<{ resolve(status: PaymentStatus): void; reject(error: unknown): void }> = [];
  getPayment(): Promise<PaymentStatus> {
    return new Promise<PaymentStatus>((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}

function status(state: PaymentState): PaymentStatus {
  const nok = (value: number) => ({ currency: 'NOK' as const, value });
  return { reference: REF, state, amount: nok(2500), aggregate: { authorizedAmount: nok(state === 'AUTHORIZED' ? 2500 : 0), capturedAmount: nok(0), cancelledAmount: nok(0), refundedAmount: nok(0) }, pspReference: 'psp-1' };
}

const isTimeout = (e: unknown) => e instanceof EpaymentError && e.kind === 'timeout';

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

  describe('readNow (a push said the payment changed)', () => {
    /** The reader's clock time of every read, for counting reads in a sliding minute. */
    const timedReader = (reads: number[]): StatusReader => ({
      getPayment: (reference, options) => {
        reads.push(service.clock.now());
        return client.getPayment(reference, options);
      },
    });
    const mostInAnyMinute = (reads: number[]) => Math.max(0, ...reads.map((at) => reads.filter((other) => other >= at && other < at + 60_000).length));

    it('reads at once, even just after a regular read, then polls on at its pace', async () => {
      const poll = pollUntilFinal(client, REF, { clock: service.clock });
      await service.clock.advance(1_000);
      poll.readNow();
      await service.clock.advance(0);
      assert.equal(service.count('get'), 1, 'read at once, not at 5 s');
      await service.clock.advance(1_999);
      assert.equal(service.count('get'), 1);
      await service.clock.advance(1);
      assert.equal(service.count('get'), 2, 'the regular read 2 s after the pushed one');
      service.setState(REF, 'AUTHORIZED');
      await service.clock.advance(100);
      poll.readNow();
      await service.clock.advance(0);
      assert.equal(service.count('get'), 3, '100 ms after the regular read: within the service\'s limit, so at once');
      assert.equal((await poll.result).state, 'AUTHORIZED');
    });

    it('is a no-op while a read is in flight, and after the poll has ended', async () => {
      const reader = new HandReader();
      const poll = pollUntilFinal(reader, REF, { clock: service.clock, firstDelayMs: 0 });
      await service.clock.advance(0);
      assert.equal(reader.pending.length, 1);
      poll.readNow();
      poll.readNow();
      await service.clock.advance(1_000);
      assert.equal(reader.pending.length, 1, 'no second read beside the one in flight');
      reader.pending[0]!.resolve(status('AUTHORIZED'));
      assert.equal((await poll.result).state, 'AUTHORIZED');
      poll.readNow();
      await service.clock.advance(10_000);
      assert.equal(reader.pending.length, 1, 'nothing read after the final state');

      const cancelled = pollUntilFinal(client, REF, { clock: service.clock });
      cancelled.cancel();
      cancelled.readNow();
      await service.clock.advance(10_000);
      assert.equal(service.count('get'), 0, 'nothing read after cancel()');
    });

    it('pushes read at most once per 500 ms', async () => {
      const reads: number[] = [];
      const poll = pollUntilFinal(timedReader(reads), REF, { clock: service.clock, firstDelayMs: 60_000 });
      for (let ms = 0; ms < 9_950; ms += 50) {
        poll.readNow();
        await service.clock.advance(50);
      }
      assert.equal(reads.length, 20);
      for (let i = 1; i < reads.length; i++) assert.ok(reads[i]! - reads[i - 1]! >= 500, `${reads[i]! - reads[i - 1]!} ms apart`);
    });

    it('pushes and polling every 500 ms together stay within 120 reads in any minute', async () => {
      const reads: number[] = [];
      const poll = pollUntilFinal(timedReader(reads), REF, { clock: service.clock, firstDelayMs: 0, intervalMs: 500 });
      for (let ms = 0; ms < 180_000; ms += 50) {
        if (ms % 250 === 0) poll.readNow();
        await service.clock.advance(50);
      }
      assert.ok(reads.length > 3 * 120, `${reads.length} reads: the pushes added some`);
      assert.equal(mostInAnyMinute(reads), 120);
    });

    it('waits out a 429\'s Retry-After', async () => {
      service.script('get', problem(429, undefined, { 'retry-after': '6' }));
      const poll = pollUntilFinal(client, REF, { clock: service.clock, onError: () => {} });
      poll.readNow();
      await service.clock.advance(0);
      assert.equal(service.count('get'), 1);
      poll.readNow();
      await service.clock.advance(5_999);
      assert.equal(service.count('get'), 1, 'not before Retry-After');
      await service.clock.advance(1);
      assert.equal(service.count('get'), 2);
    });
  });

  it('a deadline ends it with a timeout error, not a state', async () => {
    const poll = pollUntilFinal(client, REF, { clock: service.clock, deadlineMs: 20_000 });
    await service.clock.advance(30_000);
    await assert.rejects(poll.result, (e: unknown) => e instanceof EpaymentError && e.kind === 'timeout');
  });

  it('refuses an interval that would break the rate limit, and a read timeout that is not positive', () => {
    assert.throws(() => pollUntilFinal(client, REF, { clock: service.clock, intervalMs: 400 }), RangeError);
    assert.throws(() => pollUntilFinal(client, REF, { clock: service.clock, readTimeoutMs: 0 }), RangeError);
  });

  it('an onState that throws ends the poll with its error, and nothing is read after it', async () => {
    const bug = new Error('screen update failed');
    const poll = pollUntilFinal(client, REF, { clock: service.clock, onState: () => { throw bug; } });
    await service.clock.advance(5_000);
    await assert.rejects(poll.result, (e: unknown) => e === bug);
    await service.clock.advance(60_000);
    assert.equal(service.count('get'), 1);
  });

  it('an onState that throws on the final state ends the poll with its error, not the state', async () => {
    service.setState(REF, 'AUTHORIZED');
    const bug = new Error('journal full');
    const poll = pollUntilFinal(client, REF, { clock: service.clock, onState: () => { throw bug; } });
    await service.clock.advance(5_000);
    await assert.rejects(poll.result, (e: unknown) => e === bug);
  });

  it('an onError that throws ends the poll with its error', async () => {
    service.script('get', problem(503));
    const bug = new Error('log failed');
    const poll = pollUntilFinal(client, REF, { clock: service.clock, onError: () => { throw bug; } });
    await service.clock.advance(5_000);
    await assert.rejects(poll.result, (e: unknown) => e === bug);
    await service.clock.advance(60_000);
    assert.equal(service.count('get'), 1);
  });

  it('a reader that throws instead of rejecting ends the poll with that error', async () => {
    const bug = new Error('not a client');
    const poll = pollUntilFinal({ getPayment: () => { throw bug; } }, REF, { clock: service.clock, firstDelayMs: 0 });
    await service.clock.advance(0);
    await assert.rejects(poll.result, (e: unknown) => e === bug);
  });

  it('a read that never settles ends the poll with a timeout after readTimeoutMs (30 s by default), never a state', async () => {
    const reader = new HandReader();
    const states: PaymentState[] = [];
    const poll = pollUntilFinal(reader, REF, { clock: service.clock, onState: (s) => states.push(s.state) });
    let settled = false;
    poll.result.then(() => { settled = true; }, () => { settled = true; });
    await service.clock.advance(5_000 + 29_999);
    assert.equal(settled, false);
    await service.clock.advance(1);
    assert.equal(settled, true);
    await assert.rejects(poll.result, isTimeout);
    // The answer that comes after the watchdog is ignored.
    reader.pending[0]!.resolve(status('AUTHORIZED'));
    await service.clock.advance(10_000);
    assert.deepEqual(states, []);
    assert.equal(reader.pending.length, 1, 'no read after the timeout');
  });

  it('the read watchdog is per read: answers within readTimeoutMs keep polling', async () => {
    const reader = new HandReader();
    const poll = pollUntilFinal(reader, REF, { clock: service.clock, readTimeoutMs: 1_000, firstDelayMs: 0 });
    for (let i = 0; i < 5; i++) {
      await service.clock.advance(900);
      reader.pending[i]!.resolve(status('CREATED'));
      await service.clock.advance(2_000);
    }
    assert.equal(reader.pending.length, 6);
    await service.clock.advance(1_000);
    await assert.rejects(poll.result, isTimeout);
  });

  it('the deadline ends a poll whose read is in flight', async () => {
    const reader = new HandReader();
    const poll = pollUntilFinal(reader, REF, { clock: service.clock, deadlineMs: 8_000 });
    let settled = false;
    poll.result.then(() => { settled = true; }, () => { settled = true; });
    await service.clock.advance(7_999);
    assert.equal(reader.pending.length, 1, 'the read is in flight');
    assert.equal(settled, false);
    await service.clock.advance(1);
    await assert.rejects(poll.result, isTimeout);
    reader.pending[0]!.resolve(status('AUTHORIZED'));
    await service.clock.advance(1_000);
    assert.equal(settled, true);
  });
});
