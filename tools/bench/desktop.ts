// Desktop figures: the machine on the Node host (its own process, the page's server, the built-in
// emulator), sales driven through the automation API as a tester would.
// - tapToQrMs: from the touch reaching the machine to the QR drawn in its framebuffer (measured
//   in the machine process: one create on loopback, the encode and the pixel loop);
// - approvalToPulseMs: from the emulator's approval to the output's pulse, with the machine's own
//   2 s poll interval and the approval at a random moment of it (customers do not wait for polls).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DesktopClient } from '../../hosts/node/desktop/api-client';
import { startDesktop } from '../../hosts/node/desktop/desktop';

export interface DesktopBench {
  tapToQrMs: number;
  approvalToPulseMs: number;
  sales: number;
}

const SALES = 10;
/** No stock and no drop sensor: every sale is the same. */
const PRODUCT = 'chocolate';
const POLL_FIRST_MS = 500;
const POLL_INTERVAL_MS = 2000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchDesktop(sales = SALES): Promise<DesktopBench> {
  const stateDir = mkdtempSync(join(tmpdir(), 'desktop-bench-'));
  const desktop = await startDesktop({ port: 0, stateDir, emulatorSeed: 1, timing: { pollFirstMs: POLL_FIRST_MS, pollIntervalMs: POLL_INTERVAL_MS, resultScreenMs: 300 } });
  const client = new DesktopClient(desktop.pageUrl);
  const taps: number[] = [];
  const approvals: number[] = [];
  try {
    for (let i = 0; i < sales; i++) {
      await client.waitFor((s) => s.state === 'idle' && s.inService, 20_000, 'the idle screen, in service');
      await client.tap((a) => a.type === 'select' && a.product === PRODUCT, 'product');
      const shown = await client.waitFor((s) => s.state === 'payment' && s.payment !== undefined, 10_000, 'the QR');
      const reference = shown.payment!.reference;
      taps.push(shown.timings.tapToQrMs!);
      // After the first read, somewhere in the poll cycle (spread evenly over the sales).
      await sleep(POLL_FIRST_MS + 100 + ((i + 0.5) / sales) * POLL_INTERVAL_MS);
      const approvedAt = Date.now();
      desktop.emulator!.approve(reference);
      const pulsed = await client.waitFor((s) => s.pulses.some((p) => p.reference === reference), 10_000, 'the pulse');
      approvals.push(pulsed.pulses.find((p) => p.reference === reference)!.at - approvedAt);
      await client.waitFor((s) => s.state === 'thank-you', 10_000, 'thank you');
    }
  } finally {
    client.close();
    await desktop.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
  return { tapToQrMs: Number(median(taps).toFixed(2)), approvalToPulseMs: Math.round(median(approvals)), sales };
}

export function printDesktopTable(result: DesktopBench): void {
  console.log('Desktop machine (machine process + page server + built-in emulator, medians)');
  console.table([{ sales: result.sales, 'tap to QR ms (target <= 20)': result.tapToQrMs, 'approval to pulse ms (target <= 2200)': result.approvalToPulseMs }]);
}

// `tsx tools/bench/desktop.ts`: this section alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  benchDesktop().then((result) => {
    printDesktopTable(result);
    console.log(JSON.stringify(result));
  });
}
