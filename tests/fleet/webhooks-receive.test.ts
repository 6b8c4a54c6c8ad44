// The fleet's webhook receiver with real parts (PGlite, the embedded broker, a machine as an MQTT
// client) and a sender that signs as the Webhooks API documents: what is accepted is stored once
// and relayed to the machine signed; anything else is 401 (or 400, 413) and nothing is stored.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { MachineCredentials } from '../../fleet/machines';
import { startFleetServer, type FleetServer } from '../../fleet/server';
import { verifyDown } from '../../fleet/signing';
import type { RelayOutcome } from '../../fleet/webhooks/relay';
import { connectMachine, delay, nextMessage, startTestFleet, type TestFleet } from './helpers';
import { deliver, deliverUntilAccepted, paymentEvent } from './webhook-sender';

const SECRET = 'test-secret-0b52e5bd-be1e-42a1-acf2-e331f52c68ac';

async function holdSecret(db: TestFleet['db'], url: string, secret = SECRET): Promise<void> {
  await db.query('INSERT INTO webhook_registrations (id, url, events, secret) VALUES ($1, $2, $3, $4)', [randomBytes(8).toString('hex'), url, '[]', secret]);
}

const count = async (db: TestFleet['db']): Promise<number> => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_events'))[0]!.n;

describe('fleet: webhooks received, verified and relayed (PGlite + aedes)', function () {
  this.timeout(60_000);
  let fleet: TestFleet;
  let url: string;
  let credentials: MachineCredentials;
  let client: MqttClient;
  const relayed: Array<{ reference: string; outcome: RelayOutcome }> = [];
  const topic = 'vend/kiosk-w/down/payment';
  const verify = (payload: Buffer) => verifyDown(credentials.key, topic, payload, { nowSeconds: Math.floor(Date.now() / 1000) });

  before(async () => {
    fleet = await startTestFleet({
      httpPort: 0,
      httpHost: '127.0.0.1',
      onWebhookRelayed: (event, outcome) => relayed.push({ reference: event.reference, outcome }),
      // Rounds only when the test asks for one.
      relayAgainEveryMs: 3_600_000,
    });
    url = new URL('/webhooks/vipps', fleet.server.operator!.http.url).toString();
    await holdSecret(fleet.db, url);
    credentials = await fleet.addMachine('kiosk-w');
    client = await connectMachine(fleet.url, credentials);
    await client.subscribeAsync('vend/kiosk-w/down/#', { qos: 0 });
  });
  after(async () => {
    await client?.endAsync().catch(() => {});
    await fleet?.close();
  });

  async function relayOf(reference: string, timeoutMs = 5000): Promise<RelayOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = relayed.find((r) => r.reference === reference);
      if (found) return found.outcome;
      if (Date.now() > deadline) throw new Error(`no relay of ${reference}`);
      await delay(20);
    }
  }

  it('accepts a correctly signed AUTHORIZED, stores it and sends the machine a signed down/payment', async () => {
    const event = paymentEvent('kiosk-w-0001');
    const arrived = nextMessage(client, topic);
    const answer = await deliver(url, SECRET, JSON.stringify(event));
    assert.equal(answer.status, 200);
    const verified = verify(await arrived);
    assert.equal(verified.ok, true);
    assert.equal(verified.ok && verified.message.reference, 'kiosk-w-0001');
    assert.equal(verified.ok && verified.message.state, 'AUTHORIZED');
    const rows = await fleet.db.query<{ name: string; pos_id: string; relay: string }>('SELECT name, pos_id, relay FROM webhook_events WHERE reference = $1', ['kiosk-w-0001']);
    assert.deepEqual(rows, [{ name: 'AUTHORIZED', pos_id: 'kiosk-w', relay: 'relayed' }]);
  });

  it('stores a repeated delivery once and relays it once', async () => {
    const body = JSON.stringify(paymentEvent('kiosk-w-0002', 'ABORTED'));
    const seen: string[] = [];
    const listen = (t: string, payload: Buffer) => {
      if (t === topic) seen.push(String(verify(payload).ok && (verify(payload) as { message: Record<string, unknown> }).message.reference));
    };
    client.on('message', listen);
    assert.equal((await deliver(url, SECRET, body)).status, 200);
    assert.equal(await relayOf('kiosk-w-0002'), 'relayed');
    const again = await deliver(url, SECRET, body);
    assert.equal(again.status, 200);
    await delay(400);
    client.off('message', listen);
    assert.deepEqual(seen.filter((r) => r === 'kiosk-w-0002'), ['kiosk-w-0002']);
    assert.equal((await fleet.db.query('SELECT 1 FROM webhook_events WHERE reference = $1', ['kiosk-w-0002'])).length, 1);
  });

  it('stores a CAPTURED without sending it down (the machine captured it itself)', async () => {
    assert.equal((await deliver(url, SECRET, JSON.stringify(paymentEvent('kiosk-w-0003', 'CAPTURED')))).status, 200);
    assert.equal(await relayOf('kiosk-w-0003'), 'not-a-state-change');
  });

  it('stores an event of no machine we know, does not relay it, and logs it', async () => {
    assert.equal((await deliver(url, SECRET, JSON.stringify(paymentEvent('elsewhere-0001')))).status, 200);
    assert.equal(await relayOf('elsewhere-0001'), 'no-machine');
    assert.ok(fleet.logs.some((line) => /AUTHORIZED for elsewhere-0001 names no machine/.test(line)));
  });

  it('relays again, within 10 minutes, an event stored but not relayed (a stop after the 2xx) or whose relay failed', async () => {
    for (const reference of ['kiosk-w-0011', 'kiosk-w-0012', 'kiosk-w-0013', 'kiosk-w-0014']) {
      const arrived = nextMessage(client, topic);
      assert.equal((await deliver(url, SECRET, JSON.stringify(paymentEvent(reference)))).status, 200);
      assert.equal(await relayOf(reference), 'relayed');
      await arrived; // the first relay, before the test listens for the second
    }
    const set = (reference: string, relay: string | null, secondsAgo: number) =>
      fleet.db.query(`UPDATE webhook_events SET relay = $2, relayed_at = NULL, received_at = now() - make_interval(secs => $3) WHERE reference = $1`, [reference, relay, secondsAgo]);
    await set('kiosk-w-0011', null, 30); // stored, then the fleet stopped before relaying
    await set('kiosk-w-0012', 'failed', 60); // the broker was away
    await set('kiosk-w-0013', null, 11 * 60); // too old: that payment is over
    await set('kiosk-w-0014', null, 1); // may be the receiver's own relay, under way
    const seen: string[] = [];
    const listen = (t: string, payload: Buffer) => {
      const verified = verify(payload);
      if (t === topic && verified.ok) seen.push(`${String(verified.message.reference)} ${String(verified.message.state)}`);
    };
    client.on('message', listen);
    try {
      assert.equal(await fleet.server.relaysAgain!.tick(), 2);
      await delay(300);
      assert.deepEqual(seen.sort(), ['kiosk-w-0011 AUTHORIZED', 'kiosk-w-0012 AUTHORIZED']);
      const rows = await fleet.db.query<{ reference: string; relay: string | null }>(
        `SELECT reference, relay FROM webhook_events WHERE reference IN ('kiosk-w-0011', 'kiosk-w-0012', 'kiosk-w-0013') ORDER BY reference`,
      );
      assert.deepEqual(rows, [{ reference: 'kiosk-w-0011', relay: 'relayed' }, { reference: 'kiosk-w-0012', relay: 'relayed' }, { reference: 'kiosk-w-0013', relay: null }]);
      assert.equal(await fleet.server.relaysAgain!.tick(), 0, 'once relayed, not again');
    } finally {
      client.off('message', listen);
    }
  });

  describe('refuses, stores nothing, logs the reason but never the secret', () => {
    const refusals: Array<[string, (body: string) => Promise<{ status: number }>, number, RegExp]> = [
      ['a wrong secret', (body) => deliver(url, 'another-secret-entirely-0123456789', body), 401, /wrong signature/],
      ['a body changed after signing', (body) => deliver(url, SECRET, body, { sentBody: body.replace('2500', '25000') }), 401, /does not match x-ms-content-sha256/],
      ['a stale date (6 minutes old)', (body) => deliver(url, SECRET, body, { date: new Date(Date.now() - 6 * 60_000) }), 401, /outside the window/],
      ['a date from the future (6 minutes)', (body) => deliver(url, SECRET, body, { date: new Date(Date.now() + 6 * 60_000) }), 401, /outside the window/],
      ['no x-ms-date', (body) => deliver(url, SECRET, body, { drop: ['x-ms-date'] }), 401, /signed header is missing/],
      ['no x-ms-content-sha256', (body) => deliver(url, SECRET, body, { drop: ['x-ms-content-sha256'] }), 401, /signed header is missing/],
      ['no Authorization', (body) => deliver(url, SECRET, body, { drop: ['authorization'] }), 401, /signed header is missing/],
      ['another scheme in Authorization', (body) => deliver(url, SECRET, body, { headers: { authorization: `Bearer ${SECRET}` } }), 401, /not HMAC-SHA256/],
      ['signed for another host (and sent with it)', (body) => deliver(url, SECRET, body, { signedFor: 'http://evil.example/webhooks/vipps' }), 401, /wrong host/],
      ['the right host, signed for another path', (body) => deliver(url, SECRET, body, { signedFor: url.replace('/webhooks/vipps', '/webhooks/other') }), 401, /wrong signature/],
      ['signed JSON that is not an event', () => deliver(url, SECRET, JSON.stringify({ hello: 'world' })), 400, /msn missing/],
      ['signed bytes that are not JSON', () => deliver(url, SECRET, '{"msn": '), 400, /not JSON/],
      ['a body over 16 KiB', (body) => deliver(url, SECRET, body.replace('"success"', `"padding":"${'x'.repeat(17_000)}","success"`)), 413, /over 16384 bytes/],
    ];
    for (const [what, send, status, logged] of refusals) {
      it(what, async () => {
        const before = await count(fleet.db);
        const logsBefore = fleet.logs.length;
        const answer = await send(JSON.stringify(paymentEvent('kiosk-w-0100')));
        assert.equal(answer.status, status);
        assert.equal(await count(fleet.db), before);
        const newLogs = fleet.logs.slice(logsBefore);
        assert.ok(newLogs.some((line) => logged.test(line)), `logged: ${newLogs.join(' | ')}`);
        assert.ok(newLogs.every((line) => !line.includes(SECRET)));
      });
    }
  });
});

describe('fleet: a delivery while the fleet is down lands after its restart (PGlite on disk)', function () {
  this.timeout(60_000);
  let dir: string;
  let server: FleetServer | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-webhooks-'));
  });
  after(async () => {
    await server?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (httpPort: number) =>
    startFleetServer({ dataDir: join(dir, 'db'), mqttPort: 0, mqttHost: '127.0.0.1', fleetPassword: 'fleet-password-for-the-restart-test', httpPort, httpHost: '127.0.0.1' });

  it('the service retries until the restarted fleet answers; the event is stored once', async () => {
    server = await start(0);
    const port = server.operator!.http.port;
    const url = `http://127.0.0.1:${port}/webhooks/vipps`;
    await server.addMachine('kiosk-r');
    await server.db.query('INSERT INTO webhook_registrations (id, url, events, secret) VALUES ($1, $2, $3, $4)', ['r1', url, '[]', SECRET]);
    await server.close();
    server = undefined;

    const body = JSON.stringify(paymentEvent('kiosk-r-0001'));
    const delivered = deliverUntilAccepted(() => url, SECRET, body);
    await delay(600); // a few refused attempts while down
    server = await start(port);
    const { attempts } = await delivered;
    assert.ok(attempts > 1, `attempts: ${attempts}`);
    const rows = await server.db.query<{ reference: string; pos_id: string | null }>('SELECT reference, pos_id FROM webhook_events');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.reference, 'kiosk-r-0001');
  });
});
