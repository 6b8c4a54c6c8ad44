// Approval to pulse with and without the fleet's payment push (issue 16), side by side in one run:
// the desktop machine (its own process, the built-in emulator) linked to a real fleet (in-memory
// PGlite, embedded broker), with the machine's NORMAL poll timing (first read 5 s after the QR,
// then every 2 s). Sales alternate between the modes; in each mode the approvals are spread evenly
// over the poll cycle after the first read (customers do not wait for polls).
//
// The push: until the fleet relays the service's webhooks, the bench stands in for that path and
// publishes the fleet's signed down/payment (fleet/signing.ts, the fleet's own MQTT client) at the
// moment the emulator approves. The report says so in `pushSource`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DesktopClient } from '../../hosts/node/desktop/api-client';
import { startDesktop } from '../../hosts/node/desktop/desktop';
import { startFleetServer } from '../../fleet/server';
import { signDown } from '../../fleet/signing';

export type PushMode = 'polling' | 'push';

export interface PushModeFigures {
  sales: number;
  approvalToPulseMs: { p50: number; p95: number; max: number };
  /** Output pulses for these sales: equal to `sales` (one each). */
  releases: number;
  /** Pulses beyond one a sale: 0. */
  extraReleases: number;
  /** Payments captured in full. */
  captures: number;
  /** Status reads (GETs) per sale, on average. */
  readsPerSale: number;
}

export interface PushBench {
  pushSource: string;
  pollFirstMs: number;
  pollIntervalMs: number;
  polling: PushModeFigures;
  push: PushModeFigures;
}

export const PUSH_SALES = 10;
const POS = 'oslo-s-vend-01';
/** No stock and no drop sensor: every sale is the same. */
const PRODUCT = 'chocolate';
const PRICE = 2900;
// The machine's own timing (MACHINE_TIMING), not the tests' short one.
const POLL_FIRST_MS = 5_000;
const POLL_INTERVAL_MS = 2_000;
const STAND_IN = 'stand-in: the bench publishes the fleet\'s signed down/payment when the emulator approves (the webhook relay is not in this build)';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest rank. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function benchPush(salesPerMode = PUSH_SALES): Promise<PushBench> {
  const dir = mkdtempSync(join(tmpdir(), 'push-bench-'));
  const fleet = await startFleetServer({ mqttPort: 0, mqttHost: '127.0.0.1', fleetPassword: 'bench-fleet-password' });
  const credentials = await fleet.addMachine(POS);
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify(credentials), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.EPAYMENT_BASE_URL;
  const desktop = await startDesktop({
    port: 0, stateDir: join(dir, 'desktop'), env, emulatorSeed: 1,
    timing: { pollFirstMs: POLL_FIRST_MS, pollIntervalMs: POLL_INTERVAL_MS, resultScreenMs: 300 },
    fleetCredentials: join(dir, 'fleet.json'),
  });
  const client = new DesktopClient(desktop.pageUrl);
  const emulator = desktop.emulator!;
  const topic = `vend/${POS}/down/payment`;
  const sold: Record<PushMode, { reference: string; ms: number }[]> = { polling: [], push: [] };
  try {
    await waitOnline(fleet.db);
    for (let i = 0; i < 2 * salesPerMode; i++) {
      const mode: PushMode = i % 2 === 0 ? 'polling' : 'push';
      const nth = i >> 1;
      await client.waitFor((s) => s.state === 'idle' && s.inService, 20_000, 'the idle screen, in service');
      await client.tap((a) => a.type === 'select' && a.product === PRODUCT, 'product');
      const shown = await client.waitFor((s) => s.state === 'payment' && s.payment !== undefined, 10_000, 'the QR');
      const reference = shown.payment!.reference;
      await sleep(POLL_FIRST_MS + 100 + ((nth + 0.5) / salesPerMode) * POLL_INTERVAL_MS);
      const approvedAt = Date.now();
      emulator.approve(reference);
      if (mode === 'push') await fleet.ingest.client.publishAsync(topic, signDown(credentials.key, topic, { reference, state: 'AUTHORIZED' }), { qos: 0 });
      const pulsed = await client.waitFor((s) => s.pulses.some((p) => p.reference === reference), 10_000, 'the pulse');
      sold[mode].push({ reference, ms: pulsed.pulses.find((p) => p.reference === reference)!.at - approvedAt });
      await client.waitFor((s) => s.state === 'thank-you', 10_000, 'thank you');
    }
    // Late pulses or captures would show here: let anything still under way land first.
    await sleep(POLL_INTERVAL_MS);
    const figures = (mode: PushMode): PushModeFigures => {
      const references = new Set(sold[mode].map((sale) => sale.reference));
      const releases = desktop.supervisor.pulses.filter((p) => p.reference !== undefined && references.has(p.reference)).length;
      const reads = emulator.requests().filter((r) => r.method === 'GET' && references.has(r.path.split('/').pop()!)).length;
      const ms = sold[mode].map((sale) => sale.ms);
      return {
        sales: references.size,
        approvalToPulseMs: { p50: percentile(ms, 50), p95: percentile(ms, 95), max: Math.max(...ms) },
        releases,
        extraReleases: releases - references.size,
        captures: [...references].filter((reference) => emulator.payment(reference)?.aggregate.capturedAmount.value === PRICE).length,
        readsPerSale: Number((reads / references.size).toFixed(2)),
      };
    };
    return { pushSource: STAND_IN, pollFirstMs: POLL_FIRST_MS, pollIntervalMs: POLL_INTERVAL_MS, polling: figures('polling'), push: figures('push') };
  } finally {
    client.close();
    await desktop.close();
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitOnline(db: Awaited<ReturnType<typeof startFleetServer>>['db']): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await db.query<{ online: boolean }>('SELECT online FROM machines WHERE pos_id = $1', [POS]))[0]?.online) {
    if (Date.now() > end) throw new Error('push bench: the machine did not come online at the fleet');
    await sleep(100);
  }
}

export function printPushTable(result: PushBench): void {
  console.log(`Approval to pulse, polling only vs the fleet's push (desktop + fleet, polls ${result.pollFirstMs / 1000} s then every ${result.pollIntervalMs / 1000} s)`);
  console.log(`  push: ${result.pushSource}`);
  const row = (figures: PushModeFigures) => ({
    sales: figures.sales,
    'p50 ms': figures.approvalToPulseMs.p50,
    'p95 ms': figures.approvalToPulseMs.p95,
    'max ms': figures.approvalToPulseMs.max,
    releases: figures.releases,
    'extra releases (0)': figures.extraReleases,
    captures: figures.captures,
    'GETs per sale': figures.readsPerSale,
  });
  console.table({ 'polling only (about 1000)': row(result.polling), 'with push (p95 <= 300)': row(result.push) });
}

// `tsx tools/bench/push.ts [sales per mode]`: this section alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  benchPush(Number(process.argv[2] ?? PUSH_SALES)).then((result) => {
    printPushTable(result);
    console.log(JSON.stringify(result));
  });
}
