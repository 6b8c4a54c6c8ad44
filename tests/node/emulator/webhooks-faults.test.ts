import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { startEmulator, type Emulator } from '../../../tools/emulator/index';
import { ApiClient, json, request, type Answer } from './helpers';
import { eventually, pause, WebhookReceiver, type Received } from './webhook-receiver';

const CREATED = 'epayments.payment.created.v1';
const AUTHORIZED = 'epayments.payment.authorized.v1';
const CAPTURED = 'epayments.payment.captured.v1';

/** The receiver's own checks, from the guide: the body's hash, and the HMAC over method, path, date, host and hash. */
function verify(received: Received, secret: string): { hashOk: boolean; signatureOk: boolean } {
  const hash = createHash('sha256').update(received.body).digest('base64');
  const signed = `POST\n${received.path}\n${String(received.headers['x-ms-date'])};${String(received.headers.host)};${String(received.headers['x-ms-content-sha256'])}`;
  const signature = createHmac('sha256', secret).update(signed).digest('base64');
  return { hashOk: hash === received.headers['x-ms-content-sha256'], signatureOk: received.headers.authorization === `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}` };
}

describe('emulator: webhook faults', () => {
  let emulator: Emulator;
  let client: ApiClient;
  let receiver: WebhookReceiver;
  let secret: string;

  const admin = (method: string, path: string, body?: unknown): Promise<Answer> =>
    request(`${emulator.baseUrl}/emulator${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const names = (): string[] => receiver.bodies().map((b) => b.name as string);

  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
    emulator = await startEmulator({ webhooks: { retryInitialMs: 20, retryMaxMs: 50, timeoutMs: 200, maxAttempts: 5 } });
    client = new ApiClient(emulator);
    await client.fetchToken();
    const answer = await client.send('POST', '/webhooks/v1/webhooks', JSON.stringify({ url: receiver.url, events: [CREATED, AUTHORIZED, CAPTURED] }), client.headers({ 'Content-Type': 'application/json' }));
    secret = json(answer).secret as string;
  });
  afterEach(async () => {
    const errors = emulator.responseValidationErrors();
    await emulator.close();
    await receiver.close();
    assert.deepEqual(errors, []);
  });

  it('duplicate: the same request (headers and body) arrives twice', async () => {
    emulator.injectWebhookFault({ kind: 'duplicate', event: AUTHORIZED });
    await client.payment();
    await eventually(() => receiver.received.length === 3, 3000, 'three requests');
    assert.deepEqual(names(), ['CREATED', 'AUTHORIZED', 'AUTHORIZED']);
    const [, first, second] = receiver.received;
    assert.equal(first!.body, second!.body);
    assert.equal(first!.headers.authorization, second!.headers.authorization);
    assert.equal(first!.headers['x-ms-date'], second!.headers['x-ms-date']);
    await eventually(() => emulator.webhookDeliveries().length === 3, 3000, '3 attempts recorded');
    assert.deepEqual(emulator.webhookDeliveries().map((a) => [a.event, a.attempt, a.status, a.fault]), [
      [CREATED, 1, 200, undefined],
      [AUTHORIZED, 1, 200, undefined],
      [AUTHORIZED, 2, 200, 'duplicate'],
    ]);
    assert.equal(emulator.webhookFaults()[0]!.applied, 1);
  });

  it('delay: the delivery waits delayMs, and the ones after it wait for it', async () => {
    emulator.injectWebhookFault({ kind: 'delay', event: CREATED, delayMs: 300 });
    const started = Date.now();
    await client.payment();
    await eventually(() => receiver.received.length === 2, 3000, 'two requests');
    assert.deepEqual(names(), ['CREATED', 'AUTHORIZED']);
    assert.ok(receiver.received[0]!.at - started >= 290, `CREATED after ${receiver.received[0]!.at - started} ms`);
  });

  it('out-of-order: the next two deliveries of the payment swap', async () => {
    emulator.injectWebhookFault({ kind: 'out-of-order', event: AUTHORIZED });
    const reference = await client.payment();
    await pause(50);
    assert.equal((await client.capture(reference, 2500)).status, 200);
    await eventually(() => receiver.received.length === 3, 3000, 'three requests');
    assert.deepEqual(names(), ['CREATED', 'CAPTURED', 'AUTHORIZED']);
    for (const received of receiver.received) assert.deepEqual(verify(received, secret), { hashOk: true, signatureOk: true });
  });

  it('out-of-order with no second delivery: the held one goes alone after delayMs', async () => {
    emulator.injectWebhookFault({ kind: 'out-of-order', event: AUTHORIZED, delayMs: 150 });
    await client.payment();
    await eventually(() => receiver.received.length === 2, 3000, 'two requests');
    assert.deepEqual(names(), ['CREATED', 'AUTHORIZED']);
  });

  it('drop: an attempt is never sent; treated as unanswered, it is retried after the timeout', async () => {
    emulator.injectWebhookFault({ kind: 'drop', event: CREATED });
    const started = Date.now();
    await client.payment({}, false);
    await eventually(() => receiver.received.length === 1, 3000, 'the retry');
    assert.ok(receiver.received[0]!.at - started >= 200, 'after the 200 ms timeout and the backoff');
    await eventually(() => emulator.webhookDeliveries().length === 2, 3000, '2 attempts recorded');
    assert.deepEqual(emulator.webhookDeliveries().map((a) => [a.attempt, a.status ?? a.error, a.fault]), [
      [1, 'dropped', 'drop'],
      [2, 200, undefined],
    ]);
  });

  it('drop-all: webhooks are gone (nothing sent, no retries) until the fault is cleared', async () => {
    emulator.injectWebhookFault({ kind: 'drop-all' });
    const lost = await client.payment();
    await pause(150);
    assert.equal(receiver.received.length, 0);
    await eventually(() => emulator.webhookDeliveries().length === 2, 3000, '2 attempts recorded');
    assert.deepEqual(emulator.webhookDeliveries().map((a) => [a.reference, a.event, a.error, a.fault, a.gaveUp]), [
      [lost, CREATED, 'dropped', 'drop-all', true],
      [lost, AUTHORIZED, 'dropped', 'drop-all', true],
    ]);
    emulator.clearWebhookFaults();
    assert.equal((await client.capture(lost, 2500)).status, 200);
    await eventually(() => receiver.received.length === 1, 3000, 'the capture after the fault was cleared');
    assert.deepEqual(names(), ['CAPTURED']);
  });

  it('bad-signature: the receiver refuses it (401); the retry is signed right', async () => {
    receiver.respond = (received) => (verify(received, secret).signatureOk ? 200 : 401);
    emulator.injectWebhookFault({ kind: 'bad-signature', event: CREATED });
    await client.payment({}, false);
    await eventually(() => receiver.received.length === 2, 3000, 'two requests');
    assert.deepEqual(receiver.received.map((r) => verify(r, secret)), [
      { hashOk: true, signatureOk: false },
      { hashOk: true, signatureOk: true },
    ]);
    await eventually(() => emulator.webhookDeliveries().length === 2, 3000, '2 attempts recorded');
    assert.deepEqual(emulator.webhookDeliveries().map((a) => [a.status, a.fault]), [
      [401, 'bad-signature'],
      [200, undefined],
    ]);
  });

  it('body-changed-after-signing: the hash no longer matches the body (amount changed); the retry is intact', async () => {
    receiver.respond = (received) => (verify(received, secret).hashOk ? 200 : 400);
    emulator.injectWebhookFault({ kind: 'body-changed-after-signing', event: CREATED });
    await client.payment({}, false);
    await eventually(() => receiver.received.length === 2, 3000, 'two requests');
    const [changed, intact] = receiver.received;
    assert.equal(verify(changed!, secret).hashOk, false);
    assert.equal(JSON.parse(changed!.body).amount.value, 2501);
    assert.equal(JSON.parse(intact!.body).amount.value, 2500);
    assert.equal(changed!.headers['x-ms-content-sha256'], intact!.headers['x-ms-content-sha256'], 'signed over the same original body');
    assert.deepEqual(verify(intact!, secret), { hashOk: true, signatureOk: true });
  });

  it('targets a reference and counts: times 2 on one payment leaves the other alone', async () => {
    const target = await client.payment({}, false);
    await eventually(() => receiver.received.length === 1);
    emulator.injectWebhookFault({ kind: 'bad-signature', reference: target, times: 2 });
    receiver.respond = (received) => (verify(received, secret).signatureOk ? 200 : 401);
    const other = await client.payment({}, false);
    emulator.approve(target);
    await eventually(() => receiver.bodies().filter((b) => b.reference === target && b.name === 'AUTHORIZED').length === 3, 3000, 'the target\'s third attempt');
    await eventually(() => receiver.bodies().some((b) => b.reference === other), 3000, 'the other payment');
    await eventually(() => emulator.webhookDeliveries().length === 5, 3000, '5 attempts recorded');
    const byReference = (reference: string): Array<number | undefined> => emulator.webhookDeliveries().filter((a) => a.reference === reference).map((a) => a.status);
    assert.deepEqual(byReference(other), [200]);
    assert.deepEqual(byReference(target), [200, 401, 401, 200]);
    assert.equal(emulator.webhookFaults()[0]!.applied, 2);
  });

  it('over the admin API: arm, list and clear faults; list registrations and deliveries; refuse a bad fault', async () => {
    const armed = await admin('POST', '/webhooks/faults', [{ kind: 'drop-all', event: CREATED }, { kind: 'delay', delayMs: 10, times: 'Infinity' }]);
    assert.equal(armed.status, 201, armed.body);
    assert.deepEqual(json<Array<Record<string, unknown>>>(armed).map((f) => [f.kind, f.times, f.applied]), [
      ['drop-all', 'Infinity', 0],
      ['delay', 'Infinity', 0],
    ]);
    await client.payment();
    await eventually(() => receiver.received.length === 1, 3000, 'AUTHORIZED');
    assert.deepEqual(names(), ['AUTHORIZED']);
    await eventually(() => emulator.webhookDeliveries().length === 2, 3000, '2 attempts recorded');
    const deliveries = json<Array<Record<string, unknown>>>(await admin('GET', '/webhooks/deliveries'));
    assert.deepEqual(deliveries.map((d) => [d.event, d.fault ?? null, d.status ?? d.error]), [
      [CREATED, 'drop-all', 'dropped'],
      [AUTHORIZED, null, 200],
    ]);
    const registrations = json<Array<Record<string, unknown>>>(await admin('GET', '/webhooks'));
    assert.deepEqual(registrations.map((r) => [r.url, r.secret]), [[receiver.url, secret]]);
    assert.equal(json<unknown[]>(await admin('GET', '/webhooks/faults')).length, 2);
    assert.deepEqual(json(await admin('DELETE', '/webhooks/faults')), []);
    assert.deepEqual(emulator.webhookFaults(), []);
    for (const bad of [{ kind: 'explode' }, { kind: 'drop', event: 'epayments.payment.paid.v1' }, { kind: 'delay', delayMs: -1 }, 7]) {
      const answer = await admin('POST', '/webhooks/faults', bad);
      assert.equal(answer.status, 400, JSON.stringify(bad));
      assert.equal(typeof json(answer).error, 'string');
    }
    assert.equal((await request(`${emulator.baseUrl}/emulator/webhooks/faults`, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })).status, 400);
    assert.throws(() => emulator.injectWebhookFault({ kind: 'explode' as never }), /unknown webhook fault kind/);
  });
});
