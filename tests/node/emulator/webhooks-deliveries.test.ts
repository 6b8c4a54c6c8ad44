import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../tools/emulator/index';
import { ApiClient, json } from './helpers';
import { eventually, pause, WebhookReceiver, type Received } from './webhook-receiver';

const ALL = ['created', 'authorized', 'aborted', 'expired', 'cancelled', 'captured', 'refunded', 'terminated'].map((name) => `epayments.payment.${name}.v1`);

/**
 * The receiver's check, written from the guide's "request authentication" page alone (not the
 * emulator's signer): the body's hash, then the HMAC over method, path and query, date, host, hash.
 */
function verify(request: Received, secret: string): { hashOk: boolean; signatureOk: boolean } {
  const hash = createHash('sha256').update(request.body).digest('base64');
  const signed = `POST\n${request.path}\n${String(request.headers['x-ms-date'])};${String(request.headers.host)};${String(request.headers['x-ms-content-sha256'])}`;
  const signature = createHmac('sha256', secret).update(signed).digest('base64');
  return {
    hashOk: hash === request.headers['x-ms-content-sha256'],
    signatureOk: request.headers.authorization === `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  };
}

describe('emulator: webhook deliveries', () => {
  let emulator: Emulator;
  let client: ApiClient;
  let receiver: WebhookReceiver;

  async function start(webhooks = { retryInitialMs: 20, retryMaxMs: 100, timeoutMs: 300, maxAttempts: 4 }): Promise<void> {
    emulator = await startEmulator({ webhooks });
    client = new ApiClient(emulator);
    await client.fetchToken();
  }

  async function register(events = ALL, url = receiver.url): Promise<{ id: string; secret: string }> {
    const answer = await client.send('POST', '/webhooks/v1/webhooks', JSON.stringify({ url, events }), client.headers({ 'Content-Type': 'application/json' }));
    assert.equal(answer.status, 201, answer.body);
    return json(answer) as { id: string; secret: string };
  }

  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
  });
  afterEach(async () => {
    const errors = emulator.responseValidationErrors();
    await emulator.close();
    await receiver.close();
    assert.deepEqual(errors, []);
  });

  it('POSTs the documented body for every event of the log, signed so that the receiver can verify it', async () => {
    await start();
    const { id, secret } = await register();
    const reference = await client.payment({}, false);
    emulator.approve(reference);
    assert.equal((await client.capture(reference, 1000)).status, 200);
    assert.equal((await client.refund(reference, 400)).status, 200);
    assert.equal((await client.cancel(reference)).status, 200);
    await eventually(() => receiver.received.length === 5, 5000, 'five deliveries');

    const bodies = receiver.bodies();
    assert.deepEqual(bodies.map((b) => b.name), ['CREATED', 'AUTHORIZED', 'CAPTURED', 'REFUNDED', 'CANCELLED']);
    const log = json<Array<Record<string, unknown>>>(await client.events(reference));
    bodies.forEach((body, i) => {
      assert.deepEqual(Object.keys(body), ['msn', 'reference', 'pspReference', 'name', 'amount', 'timestamp', 'idempotencyKey', 'success']);
      assert.equal(body.msn, emulator.credentials.merchantSerialNumber);
      assert.equal(body.reference, reference);
      assert.equal(body.pspReference, log[i]!.pspReference);
      assert.deepEqual(body.amount, log[i]!.amount);
      assert.equal(body.timestamp, log[i]!.timestamp);
      assert.equal(body.idempotencyKey, log[i]!.idempotencyKey);
      assert.equal(body.success, true);
    });
    assert.equal(bodies[2]!.idempotencyKey, `capture-${reference}-1000`);
    assert.equal(bodies[1]!.idempotencyKey, null);

    for (const request of receiver.received) {
      assert.equal(request.path, '/hooks/vipps?source=emulator');
      assert.match(String(request.headers['x-ms-date']), /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      assert.ok(Math.abs(Date.parse(String(request.headers['x-ms-date'])) - request.at) < 5000);
      assert.equal(request.headers.host, new URL(receiver.url).host);
      assert.match(String(request.headers['content-type']), /^application\/json/);
      assert.deepEqual(verify(request, secret), { hashOk: true, signatureOk: true });
      assert.deepEqual(verify(request, 'another secret').signatureOk, false);
    }
    await eventually(() => emulator.webhookDeliveries().length === 5, 3000, '5 attempts recorded');
    const attempts = emulator.webhookDeliveries();
    assert.equal(attempts.length, 5);
    assert.deepEqual(attempts.map((a) => [a.registrationId, a.url, a.reference, a.attempt, a.status]), attempts.map(() => [id, receiver.url, reference, 1, 200]));
    assert.deepEqual(attempts.map((a) => a.event), ['created', 'authorized', 'captured', 'refunded', 'cancelled'].map((n) => `epayments.payment.${n}.v1`));
  });

  it('sends each registration only the events it asked for; aborted, expired and terminated too', async () => {
    await start();
    await register(['epayments.payment.aborted.v1', 'epayments.payment.expired.v1', 'epayments.payment.terminated.v1']);
    const rejected = await client.payment({}, false);
    emulator.reject(rejected);
    const expired = await client.payment({}, false);
    emulator.advanceClock(601);
    const terminated = await client.payment({}, false);
    assert.equal((await client.cancel(terminated)).status, 200);
    await eventually(() => receiver.received.length === 3, 5000, 'three deliveries');
    assert.deepEqual(receiver.bodies().map((b) => [b.reference, b.name]), [
      [rejected, 'ABORTED'],
      [expired, 'EXPIRED'],
      [terminated, 'TERMINATED'],
    ]);
    await pause(100);
    assert.equal(receiver.received.length, 3, 'no CREATED: nobody asked for it');
  });

  it('delivers nothing for an operation a fault took back (processed: false), and nothing after a delete', async () => {
    await start();
    const { id } = await register(['epayments.payment.captured.v1']);
    const reference = await client.payment();
    emulator.injectFault({ route: 'POST /epayment/v1/payments/{reference}/capture', kind: 'truncated-json', processed: false });
    await client.capture(reference, 500).catch(() => undefined);
    await pause(150);
    assert.equal(receiver.received.length, 0);
    assert.equal((await client.send('DELETE', `/webhooks/v1/webhooks/${id}`, undefined, client.headers())).status, 204);
    assert.equal((await client.capture(reference, 500)).status, 200);
    await pause(150);
    assert.equal(receiver.received.length, 0);
  });

  it('stops retrying for a registration deleted meanwhile', async () => {
    await start({ retryInitialMs: 100, retryMaxMs: 100, timeoutMs: 300, maxAttempts: 10 });
    const { id } = await register(['epayments.payment.created.v1']);
    receiver.respond = () => 500;
    await client.payment({}, false);
    await eventually(() => receiver.received.length === 1, 2000, 'the first attempt');
    assert.equal((await client.send('DELETE', `/webhooks/v1/webhooks/${id}`, undefined, client.headers())).status, 204);
    await pause(400);
    assert.equal(receiver.received.length, 1);
  });

  it('keeps the order per payment: the next only after the one before was answered 2xx', async () => {
    await start();
    await register();
    // The first delivery (CREATED) fails twice; AUTHORIZED and CAPTURED must wait for it.
    receiver.respond = (_request, index) => (index < 2 ? 500 : 200);
    const reference = await client.payment();
    assert.equal((await client.capture(reference, 2500)).status, 200);
    await eventually(() => receiver.received.length === 5, 5000, 'five requests');
    assert.deepEqual(receiver.bodies().map((b) => b.name), ['CREATED', 'CREATED', 'CREATED', 'AUTHORIZED', 'CAPTURED']);
    await eventually(() => emulator.webhookDeliveries().length === 5, 3000, '5 attempts recorded');
    assert.deepEqual(emulator.webhookDeliveries().map((a) => [a.event.split('.')[2], a.attempt, a.status]), [
      ['created', 1, 500],
      ['created', 2, 500],
      ['created', 3, 200],
      ['authorized', 1, 200],
      ['captured', 1, 200],
    ]);
  });

  it('does not hold one payment up for another (a queue per registration and payment)', async () => {
    await start();
    await register(['epayments.payment.created.v1']);
    receiver.respond = (request) => (JSON.parse(request.body).reference === first ? 'hang' : 200);
    const first = await client.payment({}, false);
    const second = await client.payment({}, false);
    await eventually(() => receiver.bodies().some((b) => b.reference === second), 2000, 'the second payment\'s delivery');
  });

  it('retries with backoff after a 500 and after no answer (the timeout), then gives up and goes on', async () => {
    await start({ retryInitialMs: 50, retryMaxMs: 120, timeoutMs: 200, maxAttempts: 4 });
    await register(['epayments.payment.created.v1', 'epayments.payment.authorized.v1']);
    receiver.respond = (request, index) => (JSON.parse(request.body).name === 'AUTHORIZED' ? 200 : index === 0 ? 500 : 'hang');
    const reference = await client.payment();
    await eventually(() => receiver.bodies().some((b) => b.name === 'AUTHORIZED'), 5000, 'AUTHORIZED after CREATED was given up');
    await eventually(() => emulator.webhookDeliveries().length === 5, 3000, '5 attempts recorded');
    const attempts = emulator.webhookDeliveries();
    assert.deepEqual(attempts.map((a) => [a.event.split('.')[2], a.attempt, a.status ?? a.error, a.gaveUp ?? false]), [
      ['created', 1, 500, false],
      ['created', 2, 'timeout', false],
      ['created', 3, 'timeout', false],
      ['created', 4, 'timeout', true],
      ['authorized', 1, 200, false],
    ]);
    // Waits between attempts: the backoff (50, 100, then capped at 120) plus the timeouts.
    // As the emulator sent them (the receiver's clock also counts the connection setup).
    const sent = attempts.map((a) => a.at);
    assert.ok(sent[1]! - sent[0]! >= 45, `first retry ${sent[1]! - sent[0]!} ms after`);
    assert.ok(sent[2]! - sent[1]! >= 200 + 95, `second retry ${sent[2]! - sent[1]!} ms after`);
    assert.ok(sent[3]! - sent[2]! >= 200 + 115, `third retry ${sent[3]! - sent[2]!} ms after`);
    assert.equal(reference.length > 0, true);
  });

  it('retries after a connection error (nobody listening)', async () => {
    await start({ retryInitialMs: 20, retryMaxMs: 20, timeoutMs: 300, maxAttempts: 3 });
    const gone = await new WebhookReceiver().start('/gone');
    const url = gone.url;
    await gone.close();
    await register(['epayments.payment.created.v1'], url);
    await client.payment({}, false);
    await eventually(() => emulator.webhookDeliveries().length === 3, 3000, 'three attempts');
    assert.deepEqual(emulator.webhookDeliveries().map((a) => [a.error, a.gaveUp ?? false]), [
      ['ECONNREFUSED', false],
      ['ECONNREFUSED', false],
      ['ECONNREFUSED', true],
    ]);
  });

  it('close() stops deliveries cleanly: no timer, no socket, no further attempt', async () => {
    // Every timer the emulator's code sets from here on, until it is cleared or has fired.
    const emulatorTimers = new Map<number, string>();
    const hook = createHook({
      init(id, type) {
        const stack = new Error().stack ?? '';
        if (type === 'Timeout' && stack.includes('/tools/emulator/')) emulatorTimers.set(id, stack);
      },
      destroy: (id) => void emulatorTimers.delete(id),
    }).enable();
    try {
      await start({ retryInitialMs: 60_000, retryMaxMs: 60_000, timeoutMs: 60_000, maxAttempts: 5 });
      await register();
      receiver.respond = () => 'hang';
      await client.payment({}, false);
      await eventually(() => receiver.received.length === 1 && receiver.openConnections() === 1, 2000, 'the hanging delivery');
      assert.ok(emulatorTimers.size > 0, 'the delivery timeout is running');
      const closing = Date.now();
      await emulator.close();
      assert.ok(Date.now() - closing < 1000, 'close() does not wait for the timeout');
      await eventually(() => receiver.openConnections() === 0, 1000, 'the delivery connection to close');
      await eventually(() => emulatorTimers.size === 0, 2000, 'every timer of the emulator to be cleared');
      assert.equal(receiver.received.length, 1);
      assert.deepEqual(emulator.webhookDeliveries().map((a) => a.error), ['closing']);
    } finally {
      hook.disable();
    }
    emulator = await startEmulator(); // for afterEach
  });

  it('a restart sends what was still owed (in its queue, or under way), and nothing already answered 2xx', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-owed-'));
    const stateFile = join(dir, 'state.json');
    const fast = { retryInitialMs: 50, retryMaxMs: 50, timeoutMs: 300, maxAttempts: 100 };
    try {
      emulator = await startEmulator({ stateFile, webhooks: fast });
      client = new ApiClient(emulator);
      await client.fetchToken();
      await register([ALL[1]!, ALL[5]!]);
      const answered = await client.payment({}, false);
      emulator.approve(answered);
      await eventually(() => receiver.received.length === 1, 2000, 'the first authorization');
      receiver.respond = () => 503;
      const owed = await client.payment({}, false);
      emulator.approve(owed);
      assert.equal((await client.capture(owed, 1000)).status, 200);
      await eventually(() => receiver.received.length >= 3, 2000, 'the refused attempts');
      await emulator.close();
      const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { webhookDeliveries: Array<{ event: string; reference: string }> };
      assert.deepEqual(saved.webhookDeliveries.map((d) => [d.event, d.reference]), [[ALL[1], owed], [ALL[5], owed]]);

      receiver.respond = () => 200;
      const before = receiver.received.length;
      emulator = await startEmulator({ stateFile, webhooks: fast });
      await eventually(() => receiver.received.length === before + 2, 3000, 'the owed deliveries after the restart');
      assert.deepEqual(receiver.bodies().slice(before).map((b) => [b.name, b.reference]), [['AUTHORIZED', owed], ['CAPTURED', owed]]);
      await pause(200);
      assert.equal(receiver.received.length, before + 2, 'nothing already answered 2xx is sent again');
      await emulator.close();
      assert.deepEqual((JSON.parse(readFileSync(stateFile, 'utf8')) as { webhookDeliveries: unknown[] }).webhookDeliveries, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    emulator = await startEmulator(); // for afterEach
  });
});
