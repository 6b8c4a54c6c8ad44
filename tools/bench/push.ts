// Approval to pulse with and without the fleet's payment push (issue 16), side by side in one run:
// the desktop machine (its own process, the built-in emulator) linked to a real fleet (PGlite,
// embedded broker, the webhook receiver on its page) with the machine's NORMAL poll timing (first
// read 5 s after the QR, then every 2 s). Sales alternate between the modes; in each mode the
// approvals are spread evenly over the poll cycle after the first read (customers do not wait for
// polls).
//
// The push goes the real way: the fleet registers its webhook with the emulator at start; on the
// approval the emulator delivers the signed event, the fleet verifies it and relays down/payment,
// the machine reads the payment once and goes on from the answer. For a polling-only sale the
// emulator drops that payment's deliveries (its drop-all fault), so the fleet never hears of it.
import { startDesktopWithFleet } from '../../tests/support/desktop-fleet';

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
  /** Authorized events the fleet relayed down for these sales: one a sale with the push, 0 without. */
  relayed: number;
}

export interface PushBench {
  /** Where the pushes came from. */
  pushSource: string;
  /** Push mode: from the approval to the emulator's webhook delivery sent, median. */
  approvalToWebhookMs: number;
  pollFirstMs: number;
  pollIntervalMs: number;
  polling: PushModeFigures;
  push: PushModeFigures;
}

export const PUSH_SALES = 10;
/** No stock and no drop sensor: every sale is the same. */
const PRODUCT = 'chocolate';
const PRICE = 2900;
// The machine's own timing (MACHINE_TIMING), not the tests' short one.
const POLL_FIRST_MS = 5_000;
const POLL_INTERVAL_MS = 2_000;
const PUSH_SOURCE = 'the emulator\'s webhook, verified and relayed by the fleet (down/payment)';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest rank. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function benchPush(salesPerMode = PUSH_SALES): Promise<PushBench> {
  const { desktop, fleet, client, close } = await startDesktopWithFleet({
    emulatorSeed: 1,
    timing: { pollFirstMs: POLL_FIRST_MS, pollIntervalMs: POLL_INTERVAL_MS, resultScreenMs: 300 },
  });
  const emulator = desktop.emulator!;
  const sold: Record<PushMode, { reference: string; ms: number; approvedAt: number }[]> = { polling: [], push: [] };
  try {
    for (let i = 0; i < 2 * salesPerMode; i++) {
      const mode: PushMode = i % 2 === 0 ? 'polling' : 'push';
      const nth = i >> 1;
      await client.waitFor((s) => s.state === 'idle' && s.inService, 20_000, 'the idle screen, in service');
      await client.tap((a) => a.type === 'select' && a.product === PRODUCT, 'product');
      const shown = await client.waitFor((s) => s.state === 'payment' && s.payment !== undefined, 10_000, 'the QR');
      const reference = shown.payment!.reference;
      if (mode === 'polling') emulator.injectWebhookFault({ kind: 'drop-all', reference });
      await sleep(POLL_FIRST_MS + 100 + ((nth + 0.5) / salesPerMode) * POLL_INTERVAL_MS);
      const approvedAt = Date.now();
      emulator.approve(reference);
      const pulsed = await client.waitFor((s) => s.pulses.some((p) => p.reference === reference), 10_000, 'the pulse');
      sold[mode].push({ reference, approvedAt, ms: pulsed.pulses.find((p) => p.reference === reference)!.at - approvedAt });
      await client.waitFor((s) => s.state === 'thank-you', 10_000, 'thank you');
    }
    // Late pulses or captures would show here: let anything still under way land first.
    await sleep(POLL_INTERVAL_MS);
    const relayedRows = await fleet.db.query<{ reference: string }>(`SELECT reference FROM webhook_events WHERE name = 'AUTHORIZED' AND relay = 'relayed'`);
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
        relayed: relayedRows.filter((row) => references.has(row.reference)).length,
      };
    };
    const delivered = sold.push.map((sale) => {
      const attempt = emulator.webhookDeliveries().find((a) => a.reference === sale.reference && a.event === 'epayments.payment.authorized.v1');
      if (!attempt) throw new Error(`push bench: no webhook delivery for ${sale.reference}`);
      return attempt.at - sale.approvedAt;
    });
    return { pushSource: PUSH_SOURCE, approvalToWebhookMs: percentile(delivered, 50), pollFirstMs: POLL_FIRST_MS, pollIntervalMs: POLL_INTERVAL_MS, polling: figures('polling'), push: figures('push') };
  } finally {
    await close();
  }
}

export function printPushTable(result: PushBench): void {
  console.log(`Approval to pulse, polling only vs the fleet's push (desktop + fleet, polls ${result.pollFirstMs / 1000} s then every ${result.pollIntervalMs / 1000} s)`);
  console.log(`  push: ${result.pushSource}; approval to webhook sent ${result.approvalToWebhookMs} ms (median)`);
  const row = (figures: PushModeFigures) => ({
    sales: figures.sales,
    'p50 ms': figures.approvalToPulseMs.p50,
    'p95 ms': figures.approvalToPulseMs.p95,
    'max ms': figures.approvalToPulseMs.max,
    releases: figures.releases,
    'extra releases (0)': figures.extraReleases,
    captures: figures.captures,
    'GETs per sale': figures.readsPerSale,
    'pushes relayed': figures.relayed,
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
