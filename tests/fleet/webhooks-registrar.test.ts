// Registration when the service is not there at the start: the fleet does not wait for it, logs
// each failure, and registers (once) when the service answers again.
import assert from 'node:assert/strict';
import { migrate } from '../../fleet/migrate';
import { VippsClient } from '../../fleet/vipps/client';
import { openDatabase } from '../../fleet/database';
import { startRegistrar } from '../../fleet/webhooks/registrar';
import { ensureRegistration } from '../../fleet/webhooks/registration';
import { startEmulator, type Emulator } from '../../tools/emulator/index';
import { keysOf } from './emulator-helpers';
import { describeSetup, freshDatabase } from './helpers';

describe(`fleet: webhook registration (${describeSetup()} + emulator)`, function () {
  this.timeout(30_000);
  let emulator: Emulator;
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  before(async () => {
    emulator = await startEmulator({ httpsPort: 0, seed: 19 });
    fresh = await freshDatabase();
    await migrate(fresh.db);
  });
  after(async () => {
    await fresh?.drop();
    await emulator?.close();
  });

  it('logs the refused attempts and registers once the service answers', async () => {
    emulator.injectFault({ route: 'GET /webhooks/v1/webhooks', kind: 'status', status: 503, times: 2 });
    const logs: string[] = [];
    const url = 'https://fleet.example/webhooks/vipps';
    const registrar = startRegistrar(fresh.db, new VippsClient(keysOf(emulator)), url, (line) => logs.push(line), 100);
    try {
      const registration = await registrar.registered;
      assert.equal(registration.kind, 'registered');
      assert.equal(logs.filter((line) => /registration for .* failed, trying again in 0.1 s: listing webhooks: HTTP 503/.test(line)).length, 2);
      assert.deepEqual(emulator.webhooks().map((hook) => hook.url), [url]);
      const held = await fresh.db.query<{ id: string }>('SELECT id FROM webhook_registrations');
      assert.deepEqual(held.map((row) => row.id), [registration.id]);
    } finally {
      registrar.close();
    }
  });

  it('two servers registering at once on one database make one registration: one registers, the other keeps it', async () => {
    const url = 'https://fleet.example/webhooks/two-at-once';
    // PostgreSQL: two pools, as two processes would have; PGlite: one database, two callers.
    const second = fresh.url ? await openDatabase({ url: fresh.url }) : fresh.db;
    // A slow service: without taking turns, the second would list before the first's POST landed.
    emulator.injectFault({ route: 'POST /webhooks/v1/webhooks', kind: 'latency', delayMs: 300 });
    try {
      const vipps = new VippsClient(keysOf(emulator));
      const both = await Promise.all([ensureRegistration(fresh.db, vipps, url), ensureRegistration(second, new VippsClient(keysOf(emulator)), url)]);
      assert.deepEqual(both.map((registration) => registration.kind).sort(), ['kept', 'registered']);
      assert.equal(both[0].id, both[1].id);
      const listed = emulator.webhooks().filter((hook) => hook.url === url);
      assert.deepEqual(listed.map((hook) => hook.id), [both[0].id]);
      const held = await fresh.db.query<{ secret: string }>('SELECT secret FROM webhook_registrations WHERE url = $1', [url]);
      assert.deepEqual(held.map((row) => row.secret), [listed[0]!.secret]);
    } finally {
      if (second !== fresh.db) await second.close();
    }
  });
});
