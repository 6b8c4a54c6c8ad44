// The fleet and the emulator's Webhooks API end to end: registration at start (once, across
// restarts, again when our secret is lost), the emulator's signed deliveries relayed to the
// machine, its faults refused or stored once, and its retries landing after a fleet restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { startFleetServer, type FleetServer } from '../../fleet/server';
import { verifyDown } from '../../fleet/signing';
import type { RelayOutcome } from '../../fleet/webhooks/relay';
import { startEmulator, type Emulator } from '../../tools/emulator/index';
import { connectMachine, delay, nextMessage } from './helpers';
import { createPayment, keysOf } from './emulator-helpers';
import type { MachineCredentials } from '../../fleet/machines';

describe('fleet: webhooks from the emulator (PGlite on disk + aedes + emulator)', function () {
  this.timeout(90_000);
  let emulator: Emulator;
  let dir: string;
  let server: FleetServer | undefined;
  let port = 0;
  let credentials: MachineCredentials;
  const relayed: Array<{ reference: string; name: string; outcome: RelayOutcome }> = [];
  const logs: string[] = [];

  const start = async (): Promise<FleetServer> => {
    server = await startFleetServer({
      dataDir: join(dir, 'db'), mqttPort: 0, mqttHost: '127.0.0.1', fleetPassword: 'fleet-password-for-the-emulator-test',
      httpPort: port, httpHost: '127.0.0.1', vipps: keysOf(emulator), log: (line) => logs.push(line),
      onWebhookRelayed: (event, outcome) => relayed.push({ reference: event.reference, name: event.name, outcome }),
    });
    port = server.operator!.http.port;
    return server;
  };
  const stop = async (): Promise<void> => {
    await server?.close();
    server = undefined;
  };
  const ourUrl = () => `http://127.0.0.1:${port}/webhooks/vipps`;
  const ours = () => emulator.webhooks().filter((hook) => hook.url === ourUrl());

  async function relayOf(reference: string, name: string, timeoutMs = 10_000): Promise<RelayOutcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = relayed.find((r) => r.reference === reference && r.name === name);
      if (found) return found.outcome;
      if (Date.now() > deadline) throw new Error(`no relay of ${name} ${reference}`);
      await delay(20);
    }
  }
  async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${condition.toString()}`);
      await delay(30);
    }
  }
  const stored = async (reference: string, name: string): Promise<number> =>
    (await server!.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_events WHERE reference = $1 AND name = $2', [reference, name]))[0]!.n;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-webhooks-emu-'));
    emulator = await startEmulator({ httpsPort: 0, seed: 16, webhooks: { retryInitialMs: 100, retryMaxMs: 400, timeoutMs: 3000, maxAttempts: 40 } });
  });
  after(async () => {
    await stop().catch(() => {});
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers at start, once: a restart keeps the registration', async () => {
    await start();
    assert.equal((await server!.webhooks!.registered).kind, 'registered');
    assert.equal(ours().length, 1);
    const id = ours()[0]!.id;
    await stop();
    await start();
    assert.equal((await server!.webhooks!.registered).kind, 'kept');
    assert.deepEqual(ours().map((hook) => hook.id), [id]);
    credentials = await server!.addMachine('kiosk-e');
  });

  it('registers again (and deletes the old one) when the fleet lost the secret', async () => {
    const old = ours()[0]!.id;
    await server!.db.query('DELETE FROM webhook_registrations');
    await stop();
    await start();
    const registration = await server!.webhooks!.registered;
    assert.equal(registration.kind, 'registered');
    assert.deepEqual(registration.deleted, [old]);
    assert.deepEqual(ours().map((hook) => hook.id), [registration.id]);
    const held = await server!.db.query<{ secret: string }>('SELECT secret FROM webhook_registrations');
    assert.deepEqual(held.map((row) => row.secret), [ours()[0]!.secret]);
  });

  describe('deliveries', () => {
    let machine: MqttClient;
    const topic = 'vend/kiosk-e/down/payment';
    const verify = (payload: Buffer) => verifyDown(credentials.key, topic, payload, { nowSeconds: Math.floor(Date.now() / 1000) });
    before(async () => {
      machine = await connectMachine(server!.mqttUrl, credentials);
      await machine.subscribeAsync('vend/kiosk-e/down/#', { qos: 0 });
    });
    after(() => machine?.endAsync().catch(() => {}));

    it('an approval reaches the machine as a signed down/payment', async () => {
      await createPayment(server!.vipps!, 'kiosk-e-0001');
      const arrived = nextMessage(machine, topic, 10_000);
      emulator.approve('kiosk-e-0001');
      const verified = verify(await arrived);
      assert.equal(verified.ok, true);
      assert.deepEqual(verified.ok && [verified.message.reference, verified.message.state], ['kiosk-e-0001', 'AUTHORIZED']);
      assert.equal(await stored('kiosk-e-0001', 'AUTHORIZED'), 1);
    });

    it('a duplicate delivery is stored once and relayed once', async () => {
      emulator.injectWebhookFault({ kind: 'duplicate', reference: 'kiosk-e-0002', event: 'epayments.payment.aborted.v1' });
      await createPayment(server!.vipps!, 'kiosk-e-0002');
      const down: string[] = [];
      const listen = (t: string, payload: Buffer) => {
        const verified = t === topic ? verify(payload) : undefined;
        if (verified?.ok && verified.message.reference === 'kiosk-e-0002') down.push(String(verified.message.state));
      };
      machine.on('message', listen);
      emulator.reject('kiosk-e-0002');
      assert.equal(await relayOf('kiosk-e-0002', 'ABORTED'), 'relayed');
      await until(() => emulator.webhookDeliveries().filter((a) => a.reference === 'kiosk-e-0002' && a.event.endsWith('aborted.v1') && a.status === 200).length === 2);
      await delay(200);
      machine.off('message', listen);
      assert.deepEqual(down, ['ABORTED']);
      assert.equal(await stored('kiosk-e-0002', 'ABORTED'), 1);
    });

    for (const kind of ['bad-signature', 'body-changed-after-signing'] as const) {
      it(`${kind}: refused with 401, nothing stored, then the service's retry is stored`, async () => {
        const reference = `kiosk-e-${kind === 'bad-signature' ? '0003' : '0004'}`;
        emulator.injectWebhookFault({ kind, reference, event: 'epayments.payment.authorized.v1' });
        await createPayment(server!.vipps!, reference);
        emulator.approve(reference);
        assert.equal(await relayOf(reference, 'AUTHORIZED'), 'relayed');
        const attemptsOf = () => emulator.webhookDeliveries().filter((a) => a.reference === reference && a.event.endsWith('authorized.v1'));
        // The emulator lists an attempt once it has read our answer, a moment after we relayed.
        await until(() => attemptsOf().some((a) => a.status === 200));
        const attempts = attemptsOf();
        assert.deepEqual(attempts.map((a) => [a.fault, a.status]), [[kind, 401], [undefined, 200]]);
        assert.equal(await stored(reference, 'AUTHORIZED'), 1);
        assert.ok(logs.some((line) => /refused a delivery/.test(line)));
      });
    }
  });

  describe('a restart mid-delivery', () => {
    it('an event delivered while the fleet is down is stored after its restart (the service retries)', async () => {
      await createPayment(server!.vipps!, 'kiosk-e-0005');
      await stop();
      emulator.approve('kiosk-e-0005');
      await until(() => emulator.webhookDeliveries().some((a) => a.reference === 'kiosk-e-0005' && a.error === 'ECONNREFUSED'));
      await start();
      assert.equal(await relayOf('kiosk-e-0005', 'AUTHORIZED'), 'relayed');
      assert.equal(await stored('kiosk-e-0005', 'AUTHORIZED'), 1);
      assert.ok(logs.every((line) => !ours().some((hook) => line.includes(hook.secret))));
    });
  });
});
