// The firmware's fleet link in the Moddable simulator: a fleet server started here (PGlite in
// memory, the embedded broker over TLS with a certificate from the emulator's chain, which the
// simulator build trusts), the machine provisioned with its credentials, one whole sale against the
// emulator, and the sale's row looked up in the fleet's sales table. Memory is the test driver's:
// the sale's peak of live slots and chunk bytes (garbage collected at every sample), under the
// ESP32 build's creation, with no link, with the link yielding during the sale (the device's
// setting) and with the link kept open during the sale (two TLS connections at once).
import { join } from 'node:path';
import { ensureCertificateChain } from '../emulator/certificates';
import type { PaymentRecord } from '../emulator/index';
import { startFleetServer, type FleetServer } from '../../fleet/server';
import { lastCatalog } from '../../fleet/catalog-message';
import { proposeCatalogEdit, sendConfigVersion } from '../../fleet/config-versions';
import { REPO_ROOT } from './moddable-env';
import { manifestCreation, setDomains, SimulatorRun } from './sim-harness';
import { decodeTracedQr, PRODUCT, settled, SIM_SLOT_BYTES, TEST_DOMAIN, waitForRecord, type SimSession } from './sim-scenarios';

/** config/sample-machine.json's posId. */
export const FLEET_POS = 'oslo-s-vend-01';
const SALE_MS = 40_000;

export interface SimFleet {
  server: FleetServer;
  /** What `set fleet` takes: the broker by address (the simulator resolves no "localhost"). */
  credentials: { url: string; password: string; key: string };
  close(): Promise<void>;
}

export async function startSimFleet(log?: (line: string) => void): Promise<SimFleet> {
  const chain = ensureCertificateChain(join(REPO_ROOT, '.emulator/certs'));
  const server = await startFleetServer({
    tls: { key: chain.key, cert: chain.cert },
    mqttCa: chain.rootPem,
    mqttPort: 0,
    mqttHost: '127.0.0.1',
    fleetPassword: 'sim-fleet-password-0123',
    ...(log ? { log } : {}),
  });
  try {
    const added = await server.addMachine(FLEET_POS);
    return { server, credentials: { url: `mqtts://127.0.0.1:${server.broker!.port}`, password: added.password, key: added.key }, close: () => server.close() };
  } catch (error) {
    await server.close();
    throw error;
  }
}

export type FleetMode = 'none' | 'yield' | 'stay';

export interface FleetSaleRun {
  mode: FleetMode;
  reference: string;
  record: PaymentRecord;
  /** The sale's peak, live (garbage collected at each sample), in slots and chunk bytes. */
  peakSlots: number;
  peakChunkBytes: number;
  samples: number;
  idleSlots: number;
  idleChunkBytes: number;
  /** The link said "connected" before the tap (so the sale began with it up). */
  connectedBeforeTap: boolean;
  /** Rows of the sale in the fleet's sales table, and the row's outcome. */
  fleetRows?: number;
  fleetOutcome?: string;
  machineOnline?: boolean;
  /** With `priceEdit`: the version's state after the machine answered, and the price its next up/catalog reports. */
  configState?: string;
  reportedPrice?: number;
  output: string;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** After the sale, between sales: a price edit from the fleet, as the page sends it; the machine's answer and its next catalog. */
async function editPrice(fleet: SimFleet, edit: { product: string; price: number }, result: FleetSaleRun): Promise<void> {
  const db = fleet.server.db;
  const catalog = await until(() => lastCatalog(db, FLEET_POS), 'the machine\'s catalog', 20_000);
  const products = catalog.products.map((product) => (product.id === edit.product ? { ...product, price: edit.price } : product));
  const proposed = await proposeCatalogEdit(db, FLEET_POS, products, null);
  if (!proposed.ok) throw new Error(`the fleet refused the edit: ${proposed.reason}`);
  await sendConfigVersion(db, fleet.server.ingest.client, proposed.id);
  const row = await until(async () => (await db.query<{ state: string }>('SELECT state FROM config_versions WHERE id = $1', [proposed.id])).find((r) => r.state !== 'pending'), 'the machine\'s answer to the edit', 20_000);
  result.configState = row.state;
  if (row.state !== 'applied') return;
  const reported = await until(async () => (await lastCatalog(db, FLEET_POS))?.products.find((p) => p.id === edit.product && p.price === edit.price), 'the new price in the machine\'s catalog', 20_000);
  result.reportedPrice = reported.price;
}

/**
 * One sale from a fresh journal. `secrets`: the `-sec` domain to boot with (the fleet's credentials,
 * as the console keeps them), none for 'none'. The tap waits until the link is up.
 */
export async function runFleetSale(session: SimSession, mode: FleetMode, options: { secrets?: Record<string, string>; fleet?: SimFleet; priceEdit?: { product: string; price: number } } = {}): Promise<FleetSaleRun> {
  const { emulator } = session;
  const plan = { tap: PRODUCT.id, sales: 1, delays: [mode === 'none' ? 1_000 : 8_000], gcSale: 1 };
  setDomains(TEST_DOMAIN, { '': undefined, '-sec': mode === 'none' ? undefined : options.secrets, '-cfg': undefined, '-tst': { plan: JSON.stringify(plan), ...(mode === 'stay' ? { fleetStay: '1' } : {}) } });
  const run = new SimulatorRun(session.mcSo, (line) => { if (!line.startsWith('instruments')) session.log(line); });
  try {
    const idle = await run.waitFor(/test mem idle slotBytes (\d+) chunkBytes (\d+)\n/, 60_000);
    if (mode !== 'none') await run.waitFor(/log info fleet: connected\n/, 20_000);
    const tap = await run.waitFor(/test tap 1 \S+\n/, 30_000);
    const connectedBeforeTap = mode !== 'none' && run.output.slice(0, tap.index).includes('log info fleet: connected\n');
    const qr = await run.waitFor(/test qr 1 ms \d+ requests \d+ connections \d+ ref (\S+)\n/, SALE_MS, tap.index);
    const reference = qr[1]!;
    const url = (await run.waitFor(/test qr-url (\S+)\n/, 5_000, tap.index))[1]!;
    await run.waitFor(/test qr-matrix \d+ [01]+\n/, 5_000, tap.index);
    const decoded = decodeTracedQr(run.output.slice(tap.index));
    if (decoded !== url) throw new Error(`the drawn QR decodes to ${decoded ?? 'nothing'}, not ${url}`);
    emulator.approve(reference);
    const mem = await run.waitFor(/test mem 1 slotBytes (\d+) chunkBytes (\d+) stackBytes \d+ live 1 samples (\d+)\n/, SALE_MS, tap.index);
    const record = await waitForRecord(emulator, reference, settled);
    const result: FleetSaleRun = {
      mode, reference, record, connectedBeforeTap, output: '',
      peakSlots: Math.round(Number(mem[1]) / SIM_SLOT_BYTES), peakChunkBytes: Number(mem[2]), samples: Number(mem[3]),
      idleSlots: Math.round(Number(idle[1]) / SIM_SLOT_BYTES), idleChunkBytes: Number(idle[2]),
    };
    const fleet = options.fleet;
    if (fleet && mode !== 'none') {
      const db = fleet.server.db;
      const row = await until(async () => (await db.query<{ outcome: string }>('SELECT outcome FROM sales WHERE pos_id = $1 AND reference = $2', [FLEET_POS, reference])).find((r) => r.outcome === 'captured'), `the sale ${reference} in the fleet's sales table`, 30_000);
      // A resend after the ack would show here as a second row (the table keeps one per reference).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM sales WHERE pos_id = $1 AND reference = $2', [FLEET_POS, reference]);
      const machine = await until(async () => (await db.query<{ online: boolean }>('SELECT online FROM machines WHERE pos_id = $1', [FLEET_POS])).find((r) => r.online), 'the machine online', 20_000);
      result.fleetOutcome = row.outcome;
      result.fleetRows = rows[0]!.n;
      result.machineOnline = machine.online;
      if (options.priceEdit) await editPrice(fleet, options.priceEdit, result);
    }
    result.output = run.output;
    return result;
  } catch (error) {
    (error as Error).message += `\n--- simulator output ---\n${run.tail(6000)}`;
    throw error;
  } finally {
    await run.kill();
  }
}

export interface FleetBench {
  /** Peak live slots and chunk bytes of one sale (cold TLS to the emulator), per link mode. */
  sale: Record<FleetMode, { peakSlots: number; peakChunkBytes: number; slotsOfCreation: number; chunkOfCreation: number }>;
  /** At the first idle screen, before the link connects. */
  idle: { slots: number; chunkBytes: number };
  creation: ReturnType<typeof manifestCreation>;
}

export function fleetBenchOf(runs: FleetSaleRun[]): FleetBench {
  const creation = manifestCreation();
  const sale = {} as FleetBench['sale'];
  for (const run of runs) {
    sale[run.mode] = {
      peakSlots: run.peakSlots,
      peakChunkBytes: run.peakChunkBytes,
      slotsOfCreation: Math.round((run.peakSlots / creation.heap) * 1000) / 10,
      chunkOfCreation: Math.round((run.peakChunkBytes / creation.chunk) * 1000) / 10,
    };
  }
  const linked = runs.find((run) => run.mode !== 'none');
  return { sale, idle: { slots: linked?.idleSlots ?? 0, chunkBytes: linked?.idleChunkBytes ?? 0 }, creation };
}
