import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, WEBHOOK_EVENTS } from '../../../tools/emulator/index';
import { ApiClient, assertProblem, json, request, useEmulator, type Answer } from './helpers';

const AUTHORIZED = 'epayments.payment.authorized.v1';

function register(client: ApiClient, body: unknown, extra: Record<string, string> = {}): Promise<Answer> {
  return client.send('POST', '/webhooks/v1/webhooks', JSON.stringify(body), client.headers({ 'Content-Type': 'application/json', ...extra }));
}

function list(client: ApiClient): Promise<Answer> {
  return client.send('GET', '/webhooks/v1/webhooks', undefined, client.headers());
}

function remove(client: ApiClient, id: string): Promise<Answer> {
  return client.send('DELETE', `/webhooks/v1/webhooks/${id}`, undefined, client.headers());
}

/** The reasons of a 400's extraDetails, joined, to match against. */
function reasons(answer: Answer): string {
  return (json(answer).extraDetails as Array<{ name: string; reason: string }>).map((d) => `${d.name}: ${d.reason}`).join('; ');
}

describe('emulator: the Webhooks API', () => {
  const context = useEmulator();
  beforeEach(async () => assert.equal((await context.client.fetchToken()).status, 200));

  it('registers (201 id and secret), lists ({webhooks: [{id, url, events}]}) and deletes (204)', async () => {
    const created = await register(context.client, { url: 'https://example.com/hooks', events: [AUTHORIZED, 'epayments.payment.captured.v1'] });
    assert.equal(created.status, 201, created.body);
    const { id, secret } = json(created);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.ok(typeof secret === 'string' && secret.length >= 32);

    const listed = await list(context.client);
    assert.equal(listed.status, 200);
    assert.deepEqual(json(listed), { webhooks: [{ id, url: 'https://example.com/hooks', events: [AUTHORIZED, 'epayments.payment.captured.v1'] }] });
    assert.equal(context.emulator.webhooks()[0]!.secret, secret);
    assert.equal(context.emulator.webhooks()[0]!.msn, context.emulator.credentials.merchantSerialNumber);

    const deleted = await remove(context.client, id);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, '');
    assert.deepEqual(json(await list(context.client)), { webhooks: [] });
    assertProblem(await remove(context.client, id), 404);
  });

  it('accepts every ePayment event, and plain http on loopback only', async () => {
    assert.equal((await register(context.client, { url: 'https://example.com/all', events: WEBHOOK_EVENTS })).status, 201);
    for (const url of ['http://127.0.0.1:9/hooks', 'http://localhost:9/hooks', 'http://[::1]:9/hooks']) {
      assert.equal((await register(context.client, { url, events: [AUTHORIZED] })).status, 201, url);
    }
    assert.equal(WEBHOOK_EVENTS.length, 8);
  });

  it('refuses with 400 ProblemDetails: an unknown event, no event, a URL that is not http(s), http off loopback, a broken body', async () => {
    const unknown = await register(context.client, { url: 'https://example.com/hooks', events: ['epayments.payment.paid.v1'] });
    assertProblem(unknown, 400);
    assert.match(reasons(unknown), /events: Unknown event epayments\.payment\.paid\.v1/);
    assert.equal(json(unknown).instance, '/v1/webhooks');
    assertProblem(await register(context.client, { url: 'https://example.com/hooks', events: [] }), 400);
    for (const url of ['ftp://example.com/hooks', 'http://example.com/hooks', 'http://127.evil.example/hooks', 'not a url']) {
      const answer = await register(context.client, { url, events: [AUTHORIZED] });
      assertProblem(answer, 400);
      assert.match(reasons(answer), /url/, url);
    }
    assertProblem(await register(context.client, { events: [AUTHORIZED] }), 400);
    assertProblem(await register(context.client, { url: 'https://example.com/hooks', events: 'all' }), 400);
    assertProblem(await remove(context.client, 'not-a-uuid'), 400);
    assert.deepEqual(json(await list(context.client)), { webhooks: [] });
  });

  it('allows 25 registrations per event and MSN, and refuses the 26th', async () => {
    for (let i = 0; i < 25; i += 1) assert.equal((await register(context.client, { url: `https://example.com/hooks/${i}`, events: [AUTHORIZED] })).status, 201);
    const over = await register(context.client, { url: 'https://example.com/hooks/26', events: ['epayments.payment.captured.v1', AUTHORIZED] });
    assertProblem(over, 400);
    assert.match(reasons(over), /At most 25/);
    // Another event still has room.
    assert.equal((await register(context.client, { url: 'https://example.com/hooks/26', events: ['epayments.payment.captured.v1'] })).status, 201);
  });

  it('authenticates as the ePayment routes do: token, subscription key, Merchant-Serial-Number', async () => {
    const body = JSON.stringify({ url: 'https://example.com/hooks', events: [AUTHORIZED] });
    const send = (headers: Record<string, string>): Promise<Answer> => request(`${context.emulator.baseUrl}/webhooks/v1/webhooks`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });
    const { subscriptionKey, merchantSerialNumber } = context.emulator.credentials;
    assertProblem(await send({ 'Ocp-Apim-Subscription-Key': subscriptionKey, 'Merchant-Serial-Number': merchantSerialNumber }), 401);
    assertProblem(await send({ Authorization: `Bearer ${context.client.token}`, 'Merchant-Serial-Number': merchantSerialNumber }), 401);
    assertProblem(await send({ Authorization: 'Bearer nonsense', 'Ocp-Apim-Subscription-Key': subscriptionKey, 'Merchant-Serial-Number': merchantSerialNumber }), 401);
    assertProblem(await send({ Authorization: `Bearer ${context.client.token}`, 'Ocp-Apim-Subscription-Key': subscriptionKey, 'Merchant-Serial-Number': '999999' }), 403);
    assertProblem(await list(new ApiClient(context.emulator)), 401);
    assert.deepEqual(context.emulator.webhooks(), []);
    assert.equal(context.emulator.counters().requests['POST /webhooks/v1/webhooks'], 4);
  });

  it('is forgotten by reset()', async () => {
    assert.equal((await register(context.client, { url: 'https://example.com/hooks', events: [AUTHORIZED] })).status, 201);
    context.emulator.reset();
    assert.deepEqual(context.emulator.webhooks(), []);
  });
});

describe('emulator: webhook registrations in the state file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'emulator-webhooks-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps registrations (id, url, events, secret) across a restart', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await startEmulator({ stateFile });
    const client = new ApiClient(first);
    await client.fetchToken();
    const { id, secret } = json(await register(client, { url: 'https://example.com/hooks', events: [AUTHORIZED] }));
    await first.close();

    const second = await startEmulator({ stateFile });
    try {
      assert.deepEqual(second.webhooks().map((r) => [r.id, r.url, r.events, r.secret]), [[id, 'https://example.com/hooks', [AUTHORIZED], secret]]);
      const again = new ApiClient(second);
      await again.fetchToken();
      assert.deepEqual(json(await list(again)).webhooks, [{ id, url: 'https://example.com/hooks', events: [AUTHORIZED] }]);
    } finally {
      await second.close();
    }
  });
});
