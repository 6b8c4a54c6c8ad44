// The desktop machine linked to a fleet server, both real: the machine in its own process with the
// npm mqtt client, the fleet on PGlite with its embedded broker. A sale reaches the sales table once;
// sold while the fleet is down, it arrives when the fleet is back; the machine's page never waits.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DesktopClient } from '../../hosts/node/desktop/api-client';
import { startDesktop, type Desktop } from '../../hosts/node/desktop/desktop';
import { startFleetServer, type FleetServer } from '../../fleet/server';
import { lastCatalog } from '../../fleet/catalog-message';
import { proposeCatalogEdit, sendConfigVersion } from '../../fleet/config-versions';

const POS = 'oslo-s-vend-01';

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('desktop machine linked to the fleet', function () {
  this.timeout(90_000);
  let dir: string;
  let fleet: FleetServer;
  let desktop: Desktop;
  let client: DesktopClient;
  let port: number;
  const fleetOptions = () => ({ dataDir: join(dir, 'fleet-db'), mqttPort: port, mqttHost: '127.0.0.1', fleetPassword: 'fleet-test-password' });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'desktop-fleet-'));
    port = 0;
    fleet = await startFleetServer(fleetOptions());
    port = fleet.broker!.port;
    const credentials = await fleet.addMachine(POS);
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify(credentials), { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.EPAYMENT_BASE_URL;
    desktop = await startDesktop({ port: 0, stateDir: join(dir, 'desktop'), fast: true, env, fleetCredentials: join(dir, 'fleet.json'), onLog: (line) => { if (process.env.DEBUG_FLEET) console.log(line.message); } });
    client = new DesktopClient(desktop.pageUrl);
    await client.waitFor((s) => s.state === 'idle' && s.inService, 20_000, 'idle');
  });

  after(async () => {
    client?.close();
    await desktop?.close();
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const machineRow = async () => (await fleet.db.query<{ online: boolean; firmware: string; in_service: boolean | null; config_hash: string }>('SELECT online, firmware, in_service, config_hash FROM machines WHERE pos_id = $1', [POS]))[0];
  const saleRow = async (reference: string) => (await fleet.db.query<{ outcome: string; amount: number; product: string; seq: number }>('SELECT outcome, amount, product, seq FROM sales WHERE pos_id = $1 AND reference = $2', [POS, reference]))[0];

  async function sell(product: string): Promise<string> {
    await client.waitFor((s) => s.state === 'idle' && s.inService, 10_000, 'idle');
    await client.tap((a) => a.type === 'select' && a.product === product, product);
    const shown = await client.waitFor((s) => s.state === 'payment', 10_000, 'the QR');
    const reference = shown.payment!.reference;
    desktop.emulator!.approve(reference);
    await client.waitFor((s) => s.state === 'thank-you', 15_000, 'thank you');
    return reference;
  }

  it('comes online with its hello and heartbeat', async () => {
    const row = await until(async () => { const r = await machineRow(); return r?.online && r.in_service !== null ? r : undefined; }, 'online and a heartbeat');
    assert.equal(row.firmware, '0.1.0');
    assert.match(row.config_hash, /^[0-9a-f]{64}$/);
    assert.equal(row.in_service, true);
  });

  it('reports a sale once, captured, with the amount and product the machine charged', async () => {
    const reference = await sell('chocolate');
    const row = await until(async () => { const r = await saleRow(reference); return r?.outcome === 'captured' ? r : undefined; }, 'the sale row');
    assert.deepEqual({ amount: row.amount, product: row.product }, { amount: 2900, product: 'chocolate' });
    const count = await fleet.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sales WHERE reference = $1', [reference]);
    assert.equal(count[0].n, 1);
  });

  it('sells with the fleet down; the sale arrives when the fleet is back', async () => {
    await fleet.close();
    const reference = await sell('chocolate');
    fleet = await startFleetServer(fleetOptions());
    const row = await until(async () => { const r = await saleRow(reference); return r?.outcome === 'captured' ? r : undefined; }, 'the sale after the fleet came back', 40_000);
    assert.equal(row.amount, 2900);
    const machine = await until(async () => { const r = await machineRow(); return r?.online ? r : undefined; }, 'online again');
    assert.equal(machine.online, true);
  });

  it('takes a new price from the page: applied between sales, reported, charged, and kept over a power cut', async () => {
    const catalog = await until(() => lastCatalog(fleet.db, POS), 'the machine\'s catalog');
    const chocolate = catalog.products.find((product) => product.id === 'chocolate')!;
    assert.equal(chocolate.price, 2900);
    const edit = catalog.products.map((product) => (product.id === 'chocolate' ? { ...product, price: 3500 } : product));
    const proposed = await proposeCatalogEdit(fleet.db, POS, edit, null);
    assert.ok(proposed.ok, JSON.stringify(proposed));
    await sendConfigVersion(fleet.db, fleet.ingest.client, proposed.id);
    const version = await until(async () => {
      const row = (await fleet.db.query<{ state: string; applied_hash: string | null }>('SELECT state, applied_hash FROM config_versions WHERE id = $1', [proposed.id]))[0];
      return row && row.state !== 'pending' ? row : undefined;
    }, 'the machine\'s answer');
    assert.equal(version.state, 'applied');
    await until(async () => ((await lastCatalog(fleet.db, POS))?.products.find((product) => product.id === 'chocolate')?.price === 3500 ? true : undefined), 'the new price reported');
    const reference = await sell('chocolate');
    assert.equal(desktop.emulator!.payment(reference)!.aggregate.capturedAmount.value, 3500, 'the next sale charges the new price');
    // The device keeps its configuration across a power cut; the desktop keeps the edit in its state folder.
    await client.powerCycle(300);
    await client.waitFor((s) => s.state === 'idle' && s.inService, 20_000, 'idle after the power cut');
    const again = await sell('chocolate');
    assert.equal(desktop.emulator!.payment(again)!.aggregate.capturedAmount.value, 3500);
  });
});
