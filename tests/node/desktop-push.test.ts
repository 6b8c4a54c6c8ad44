// Payment pushes end to end on the desktop: the machine in its own process with the built-in
// emulator and a real fleet (PGlite, embedded broker). The first part stands in for the fleet's
// webhook receiver (it publishes the signed down/payment itself, forged ones too); the last goes
// the whole way from the emulator's webhook through the fleet's relay. The
// machine polls slowly here (first read 3 s after the QR), so a read at once is plain to see in the
// emulator's request log; the push alone never releases anything.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DesktopClient } from '../../hosts/node/desktop/api-client';
import { startDesktop, type Desktop } from '../../hosts/node/desktop/desktop';
import { startFleetServer, type FleetServer } from '../../fleet/server';
import { signDown } from '../../fleet/signing';
import { startDesktopWithFleet, type DesktopWithFleet } from '../support/desktop-fleet';

const POS = 'oslo-s-vend-01';
const POLL_FIRST_MS = 3_000;
const POLL_INTERVAL_MS = 2_000;
/** The test sees the QR a little after the machine showed it (the page's state is polled). */
const SEEN_LAG_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('payment pushes on the desktop with the fleet', function () {
  this.timeout(90_000);
  let dir: string;
  let fleet: FleetServer;
  let desktop: Desktop;
  let client: DesktopClient;
  let key: string;
  let fleetClosed = false;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'desktop-push-'));
    fleet = await startFleetServer({ dataDir: join(dir, 'fleet-db'), mqttPort: 0, mqttHost: '127.0.0.1', fleetPassword: 'fleet-test-password' });
    const credentials = await fleet.addMachine(POS);
    key = credentials.key;
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify(credentials), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.EPAYMENT_BASE_URL;
    desktop = await startDesktop({
      port: 0, stateDir: join(dir, 'desktop'), fast: true, env, walkAwayTimeoutSeconds: 120,
      timing: { pollFirstMs: POLL_FIRST_MS, pollIntervalMs: POLL_INTERVAL_MS },
      fleetCredentials: join(dir, 'fleet.json'),
    });
    client = new DesktopClient(desktop.pageUrl);
    await until(async () => ((await fleet.db.query<{ online: boolean }>('SELECT online FROM machines WHERE pos_id = $1', [POS]))[0]?.online ? true : undefined), 'the machine online at the fleet');
  });

  after(async () => {
    client?.close();
    await desktop?.close();
    if (!fleetClosed) await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function showQr(): Promise<string> {
    await client.waitFor((s) => s.state === 'idle' && s.inService, 20_000, 'idle');
    await client.tap((a) => a.type === 'select' && a.product === 'chocolate', 'chocolate');
    const shown = await client.waitFor((s) => s.state === 'payment', 10_000, 'the QR');
    return shown.payment!.reference;
  }

  /** The GETs of this payment the emulator received, with when. */
  const reads = (reference: string) => desktop.emulator!.requests().filter((r) => r.method === 'GET' && r.path.endsWith(`/payments/${reference}`));
  const pulseOf = (reference: string) => desktop.supervisor.pulses.find((p) => p.reference === reference);
  const logged = (text: string) => desktop.supervisor.log.some((line) => line.message.includes(text));

  function push(reference: string, options: { key?: string; signed?: boolean } = {}): Promise<unknown> {
    const topic = `vend/${POS}/down/payment`;
    const payload = options.signed === false ? JSON.stringify({ v: 1, reference, state: 'AUTHORIZED' }) : signDown(options.key ?? key, topic, { reference, state: 'AUTHORIZED' });
    return fleet.ingest.client.publishAsync(topic, payload, { qos: 0 });
  }

  it('a signed push after approval: one GET right after it, the pulse after that GET, long before the first poll', async () => {
    const reference = await showQr();
    const shownAt = Date.now();
    desktop.emulator!.approve(reference);
    const pushedAt = Date.now();
    await push(reference);
    const pulse = await until(() => pulseOf(reference), 'the pulse', 10_000);
    const gets = reads(reference);
    assert.equal(gets.length, 1, 'exactly one read: the pushed one');
    assert.ok(gets[0]!.receivedAt >= pushedAt && gets[0]!.receivedAt - pushedAt < 300, `GET ${gets[0]!.receivedAt - pushedAt} ms after the push`);
    assert.ok(pulse.at >= gets[0]!.receivedAt, 'the pulse follows the GET');
    assert.ok(pulse.at - shownAt < POLL_FIRST_MS - 1_000, `pulse ${pulse.at - shownAt} ms after the QR; the first poll is at ${POLL_FIRST_MS}`);
    await client.waitFor((s) => s.state === 'thank-you', 10_000, 'thank you');
    assert.equal(desktop.emulator!.payment(reference)!.aggregate.capturedAmount.value, 2900);
    assert.equal(desktop.supervisor.pulses.filter((p) => p.reference === reference).length, 1);
  });

  it('a push while the payment is still CREATED: the GET says so, nothing is released, polling goes on and sees the approval', async () => {
    const reference = await showQr();
    const shownAt = Date.now();
    await push(reference);
    await until(() => (reads(reference).length === 1 ? true : undefined), 'the pushed read', 2_000);
    assert.ok(Date.now() - shownAt < POLL_FIRST_MS, 'read before the first poll was due');
    await sleep(POLL_FIRST_MS);
    assert.equal(pulseOf(reference), undefined, 'nothing released on the push');
    assert.equal((await client.state()).state, 'payment');
    assert.ok(reads(reference).length >= 2, 'polling goes on');
    desktop.emulator!.approve(reference);
    await client.waitFor((s) => s.state === 'thank-you', 10_000, 'thank you');
    assert.equal(desktop.supervisor.pulses.filter((p) => p.reference === reference).length, 1);
  });

  it('an unsigned or forged push is refused by the link: nothing is read until the poll', async () => {
    const reference = await showQr();
    const shownAt = Date.now();
    desktop.emulator!.approve(reference);
    await push(reference, { signed: false });
    await push(reference, { key: 'ab'.repeat(32) });
    await until(() => (logged('refused a message on vend/') ? true : undefined), 'the refusal in the log', 2_000);
    const pulse = await until(() => pulseOf(reference), 'the pulse from polling', 10_000);
    assert.ok(pulse.at - shownAt >= POLL_FIRST_MS - SEEN_LAG_MS, `pulse ${pulse.at - shownAt} ms after the QR: from the poll`);
    assert.ok(reads(reference)[0]!.receivedAt - shownAt >= POLL_FIRST_MS - SEEN_LAG_MS, 'no read before the first poll');
    assert.ok(desktop.supervisor.log.some((line) => /refused .*: unsigned/.test(line.message)));
    assert.ok(desktop.supervisor.log.some((line) => /refused .*: wrong signature/.test(line.message)));
    await client.waitFor((s) => s.state === 'thank-you', 10_000, 'thank you');
  });

  it('a push for another reference does nothing: no read, logged and dropped', async () => {
    const reference = await showQr();
    const shownAt = Date.now();
    desktop.emulator!.approve(reference);
    const other = `${POS}-999-zzzzzz`;
    await push(other);
    await until(() => (logged(`push ${other} AUTHORIZED: not the payment being polled`) ? true : undefined), 'the dropped push in the log', 2_000);
    const pulse = await until(() => pulseOf(reference), 'the pulse from polling', 10_000);
    assert.ok(pulse.at - shownAt >= POLL_FIRST_MS - SEEN_LAG_MS, `pulse ${pulse.at - shownAt} ms after the QR: from the poll`);
    assert.equal(desktop.emulator!.requests().filter((r) => r.path.includes(other)).length, 0);
    await client.waitFor((s) => s.state === 'thank-you', 10_000, 'thank you');
  });

  it('with the fleet gone, polling alone completes the sale', async () => {
    await fleet.close();
    fleetClosed = true;
    const reference = await showQr();
    desktop.emulator!.approve(reference);
    await client.waitFor((s) => s.state === 'thank-you', 15_000, 'thank you');
    assert.equal(desktop.emulator!.payment(reference)!.aggregate.capturedAmount.value, 2900);
    assert.equal(desktop.supervisor.pulses.filter((p) => p.reference === reference).length, 1);
  });
});

describe('payment pushes the whole way: the emulator\'s webhook, the fleet\'s relay, the machine', function () {
  this.timeout(90_000);
  let rig: DesktopWithFleet;

  before(async () => {
    rig = await startDesktopWithFleet({ fast: true, walkAwayTimeoutSeconds: 120, timing: { pollFirstMs: POLL_FIRST_MS, pollIntervalMs: POLL_INTERVAL_MS } });
  });
  after(async () => {
    await rig?.close();
  });

  it('an approval reaches the machine as a push: one GET after the webhook, the pulse long before the first poll', async () => {
    const { client, desktop, fleet } = rig;
    await client.waitFor((s) => s.state === 'idle' && s.inService, 20_000, 'idle');
    await client.tap((a) => a.type === 'select' && a.product === 'chocolate', 'chocolate');
    const reference = (await client.waitFor((s) => s.state === 'payment', 10_000, 'the QR')).payment!.reference;
    const shownAt = Date.now();
    desktop.emulator!.approve(reference);
    const pulse = await until(() => desktop.supervisor.pulses.find((p) => p.reference === reference), 'the pulse', 10_000);
    const webhook = desktop.emulator!.webhookDeliveries().find((a) => a.reference === reference && a.event === 'epayments.payment.authorized.v1');
    assert.ok(webhook && webhook.status !== undefined && webhook.status < 300, `the webhook delivered: ${JSON.stringify(webhook?.status)}`);
    const gets = desktop.emulator!.requests().filter((r) => r.method === 'GET' && r.path.endsWith(`/payments/${reference}`));
    assert.equal(gets.length, 1, 'one read: the pushed one');
    assert.ok(gets[0]!.receivedAt >= webhook.at && pulse.at >= gets[0]!.receivedAt, 'webhook, then the GET, then the pulse');
    assert.ok(pulse.at - shownAt < POLL_FIRST_MS - 1_000, `pulse ${pulse.at - shownAt} ms after the QR; the first poll is at ${POLL_FIRST_MS}`);
    const relayed = await fleet.db.query<{ relay: string }>('SELECT relay FROM webhook_events WHERE reference = $1 AND name = $2', [reference, 'AUTHORIZED']);
    assert.deepEqual(relayed.map((row) => row.relay), ['relayed']);
    await client.waitFor((s) => s.state === 'thank-you', 10_000, 'thank you');
    assert.equal(desktop.emulator!.payment(reference)!.aggregate.capturedAmount.value, 2900);
  });
});
