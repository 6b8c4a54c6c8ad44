// Alerts on the page: the server's 'offline' alert opens when a machine's connection is cut (its
// will, then the offline time, set short here) and closes when it is back; each change is POSTed
// to the alert URL. Also 'queue-growing' from heartbeats, and the machine's own alerts.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import type { MachineCredentials } from '../../fleet/machines';
import { heartbeat, hello, sale } from './helpers';
import { logIn, machine, publish, reloadUntil, requireChromium, startPageWorld, type PageWorld } from './page-helpers';

describe('fleet page: alerts (PGlite + aedes + Chromium)', function () {
  this.timeout(90_000);
  let world: PageWorld;
  let page: Page;
  let a: MachineCredentials;
  let client: MqttClient | undefined;
  let hook: Server;
  const posted: Array<Record<string, unknown>> = [];

  before(async function () {
    requireChromium(this);
    hook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        posted.push(JSON.parse(body));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    world = await startPageWorld({ alertUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts` });
    await world.fleet.db.query('UPDATE alert_settings SET offline_after_s = 1');
    a = await world.fleet.addMachine('kiosk-d');
    ({ page } = await world.newPage());
    await logIn(page, world.url);
  });
  after(async () => {
    await client?.endAsync().catch(() => {});
    await world?.close();
    await new Promise((resolve) => hook?.close(resolve));
  });

  it('opens an offline alert when the machine is cut off, and closes it when it is back', async () => {
    client = await machine(world.fleet, a);
    assert.equal(await publish(world.fleet, client, 'kiosk-d', 'hello', hello()), true);
    await page.goto(`${world.url}alerts`);
    assert.equal(await page.locator('tr[data-machine="kiosk-d"]').count(), 0);

    const will = world.fleet.nextOutcome('vend/kiosk-d/up/will');
    client.stream.destroy();
    assert.equal((await will).stored, true);
    await reloadUntil(page, '#open tr[data-machine="kiosk-d"][data-kind="offline"]');
    const open = page.locator('#open tr[data-kind="offline"]');
    assert.match(await open.locator('.opened').innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await page.goto(`${world.url}machines`);
    assert.match(await page.locator('tr[data-machine="kiosk-d"] .state').innerText(), /^offline since/);

    client = await machine(world.fleet, a);
    assert.equal(await publish(world.fleet, client, 'kiosk-d', 'hello', hello()), true);
    await page.goto(`${world.url}alerts`);
    await reloadUntil(page, '#closed tr[data-machine="kiosk-d"][data-kind="offline"]');
    assert.equal(await page.locator('#open tr[data-kind="offline"]').count(), 0);
    const closed = page.locator('#closed tr[data-kind="offline"]');
    assert.match(await closed.locator('.closed').innerText(), /UTC$/);
    const rows = await world.fleet.db.query<{ opened_at: Date; closed_at: Date; source: string }>(`SELECT opened_at, closed_at, source FROM alerts WHERE pos_id = 'kiosk-d' AND kind = 'offline'`);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.source, 'server');
    assert.ok(rows[0]!.closed_at >= rows[0]!.opened_at);

    // Told to the alert URL: the opening, then the closing.
    const deadline = Date.now() + 5000;
    while (posted.filter((p) => p.kind === 'offline').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const told = posted.filter((p) => p.kind === 'offline');
    assert.deepEqual(told.map((p) => [p.posId, p.open, p.closedAt === null]), [['kiosk-d', true, true], ['kiosk-d', false, false]]);
  });

  it('opens queue-growing when the queue grows heartbeat after heartbeat, and closes it when it shrinks', async () => {
    client ??= await machine(world.fleet, a);
    for (const queue of [1, 2, 3, 4]) assert.equal(await publish(world.fleet, client, 'kiosk-d', 'heartbeat', heartbeat({ queue })), true);
    await page.goto(`${world.url}alerts`);
    await reloadUntil(page, '#open tr[data-machine="kiosk-d"][data-kind="queue-growing"]');
    assert.match(await page.locator('#open tr[data-kind="queue-growing"]').innerText(), /queue 1 → 2 → 3 → 4/);
    assert.equal(await publish(world.fleet, client, 'kiosk-d', 'heartbeat', heartbeat({ queue: 0 })), true);
    await reloadUntil(page, '#closed tr[data-machine="kiosk-d"][data-kind="queue-growing"]');
    assert.equal(await page.locator('#open tr[data-kind="queue-growing"]').count(), 0);
  });

  it("shows the machine's own alerts, open then closed", async () => {
    client ??= await machine(world.fleet, a);
    assert.equal(await publish(world.fleet, client, 'kiosk-d', 'alert', { v: 1, kind: 'capture-late', open: true, detail: 'kiosk-d-0042', t: 1_765_000_000 }), true);
    await page.goto(`${world.url}alerts`);
    assert.match(await page.locator('#open tr[data-kind="capture-late"]').innerText(), /kiosk-d-0042\s+machine/);
    assert.equal(await publish(world.fleet, client, 'kiosk-d', 'alert', { v: 1, kind: 'capture-late', open: false, detail: 'kiosk-d-0042', t: 1_765_000_100 }), true);
    await page.reload();
    assert.equal(await page.locator('#open tr[data-kind="capture-late"]').count(), 0);
    assert.equal(await page.locator('#closed tr[data-kind="capture-late"]').count(), 1);
  });

  it('opens no-sale for a machine in service without a sale for the set time, and closes it with the next sale', async () => {
    client ??= await machine(world.fleet, a);
    await world.fleet.db.query('UPDATE alert_settings SET no_sale_after_s = 1');
    try {
      assert.equal(await publish(world.fleet, client, 'kiosk-d', 'heartbeat', heartbeat({ inService: true })), true);
      await page.goto(`${world.url}alerts`);
      await reloadUntil(page, '#open tr[data-machine="kiosk-d"][data-kind="no-sale"]');
      assert.equal(await publish(world.fleet, client, 'kiosk-d', 'sale', sale('kiosk-d', { reference: 'kiosk-d-0001' })), true);
      await reloadUntil(page, '#closed tr[data-machine="kiosk-d"][data-kind="no-sale"]', 3000);
    } finally {
      await world.fleet.db.query('UPDATE alert_settings SET no_sale_after_s = 86400');
    }
  });
});
