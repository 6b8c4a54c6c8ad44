// Whole sales of the real firmware in the Moddable simulator against the emulator over HTTPS, as
// the end-to-end test and the bench run them: the app is built once with the emulator's keys as
// TEST credentials and the test driver on; each scenario starts from an empty journal, writes the
// driver's plan into Preference, runs mcsim headless, approves the QR it drew, cuts the power
// (SIGKILL) where the scenario says, starts it again, and reads the outcome from the emulator.
import { appendFileSync, writeFileSync } from 'node:fs';
import jsQR from 'jsqr';
import { startEmulator, type Emulator, type PaymentRecord } from '../emulator/index';
import { buildSimulatorApp, emulatorSettings, manifestCreation, readPreferences, setDomains, SimulatorRun, tracedLines } from './sim-harness';

/** Preference domain of the test builds: not the one `npm run sim` keeps a developer's machine in. */
export const TEST_DOMAIN = 'qrvt';
/** The product the driver taps (config/sample-machine.json: pin 26, 300 ms, no drop sensor). */
export const PRODUCT = { id: 'water', pin: 26, pulseMs: 300, price: 3500 };
/** The emulator closes a connection idle for 30 s: a wait longer than that makes the next sale cold. */
export const IDLE_CLOSE_WAIT_MS = 32_000;
/** The test build's watchdog: this long without progress outside a resting screen restarts the app. */
export const TEST_STALL_MS = 4_000;
/** The test build's serial console (the simulator's embedded:io/serial stand-in receives what is appended to this file). */
export const TEST_SERIAL_FILE = '/tmp/qrvt-serial.txt';
const SALE_MS = 40_000;

export interface SimSession {
  emulator: Emulator;
  mcSo: string;
  log: (line: string) => void;
  close(): Promise<void>;
}

export async function startSimSession(options: { outDir?: string; log?: (line: string) => void } = {}): Promise<SimSession> {
  const emulator = await startEmulator({ httpsPort: 0, rateLimits: false });
  try {
    writeFileSync(TEST_SERIAL_FILE, '');
    const settings = { ...emulatorSettings(emulator), testDriver: '1', testTiming: '1', domain: TEST_DOMAIN, watchdogStallMs: String(TEST_STALL_MS), serialIn: TEST_SERIAL_FILE };
    const mcSo = await buildSimulatorApp(settings, options.outDir);
    return { emulator, mcSo, log: options.log ?? (() => {}), close: () => emulator.close() };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

interface Plan { tap: string; sales: number; delays: number[]; hang?: 'pulse'; gcSale?: number }

/** An empty journal, no provisioned secrets or configuration, and the driver's plan. */
function freshMachine(plan: Plan): void {
  setDomains(TEST_DOMAIN, { '': undefined, '-sec': undefined, '-cfg': undefined, '-tst': { plan: JSON.stringify(plan) } });
}

function start(session: SimSession): SimulatorRun {
  return new SimulatorRun(session.mcSo, (line) => { if (!line.startsWith('instruments')) session.log(line); });
}

/** Decodes the matrix the display drew (traced by the driver) as a phone's camera would. */
export function decodeTracedQr(output: string): string | undefined {
  const line = tracedLines(output, 'test qr-matrix')[0];
  if (!line) return undefined;
  const [sizeText, bits] = line.split(' ');
  const size = Number(sizeText);
  const scale = 4;
  const side = (size + 8) * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      if (bits![row * size + column] !== '1') continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const at = (((row + 4) * scale + dy) * side + (column + 4) * scale + dx) * 4;
          pixels[at] = pixels[at + 1] = pixels[at + 2] = 0;
        }
      }
    }
  }
  return jsQR(pixels, side, side)?.data;
}

export interface QrSeen {
  reference: string;
  url: string;
  decoded: string | undefined;
  ms: number;
  requests: number;
  connections: number;
}

async function waitForQr(run: SimulatorRun, sale: number, from = 0): Promise<QrSeen> {
  const match = await run.waitFor(new RegExp(`test qr ${sale} ms (\\d+) requests (\\d+) connections (\\d+) ref (\\S+)\\n`), SALE_MS, from);
  const url = (await run.waitFor(/test qr-url (\S+)\n/, 5_000, from + match.index))[1]!;
  await run.waitFor(/test qr-matrix \d+ [01]+\n/, 5_000, from + match.index);
  return { ms: Number(match[1]), requests: Number(match[2]), connections: Number(match[3]), reference: match[4]!, url, decoded: decodeTracedQr(run.output.slice(from + match.index)) };
}

/** Approves the payment the QR names, as the customer's phone would: by what the QR decodes to. */
function approveScanned(emulator: Emulator, qr: QrSeen): void {
  if (qr.decoded !== qr.url) throw new Error(`the drawn QR decodes to ${qr.decoded ?? 'nothing'}, not the payment's URL ${qr.url}`);
  const record = emulator.payments().find((payment) => payment.reference === qr.reference);
  if (!record) throw new Error(`no payment ${qr.reference} at the emulator`);
  emulator.approve(qr.reference);
}

/** Waits until the emulator's record satisfies `done` (the machine settles in the background). */
export async function waitForRecord(emulator: Emulator, reference: string, done: (record: PaymentRecord) => boolean, timeoutMs = 30_000): Promise<PaymentRecord> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const record = emulator.payment(reference);
    if (record && done(record)) return record;
    if (Date.now() > until) throw new Error(`payment ${reference} did not settle: ${JSON.stringify(record?.aggregate)} ${record?.state}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Nothing left reserved: a final state, or authorized with all of it captured or cancelled. */
export const settled = (record: PaymentRecord): boolean => {
  const { authorizedAmount, capturedAmount, cancelledAmount } = record.aggregate;
  if (record.state === 'CREATED') return false;
  if (record.state !== 'AUTHORIZED') return true;
  return authorizedAmount.value > 0 && authorizedAmount.value === capturedAmount.value + cancelledAmount.value;
};

/** The deepest the stack went, from the simulator's once-a-second instruments lines ("Stack used"). */
export function peakStackBytes(output: string): number {
  const keys = /instruments key: (.*)\n/.exec(output)?.[1]?.split(',') ?? [];
  const column = keys.indexOf('Stack used');
  let peak = 0;
  for (const line of tracedLines(output, 'instruments:')) peak = Math.max(peak, Number(line.split(',')[column] ?? 0));
  return peak;
}

export interface SaleFigures {
  qr: QrSeen;
  record: PaymentRecord;
  counters: ReturnType<Emulator['counters']>;
  mem?: { slotBytes: number; chunkBytes: number; stackBytes: number; live: boolean; samples: number };
  pulsed: boolean;
}

export interface MeasuredRun {
  sales: SaleFigures[];
  idle: { slotBytes: number; chunkBytes: number };
  peakStackBytes: number;
  output: string;
}

/**
 * Three sales on one boot. Sale 1 after the idle connection was closed (so its TLS handshake is in
 * the sale), with memory sampled live; sale 2 on the warm connection; sale 3 cold again. The
 * emulator's counters are read per sale (reset as the driver taps).
 */
export async function runMeasuredSales(session: SimSession): Promise<MeasuredRun> {
  const { emulator } = session;
  freshMachine({ tap: PRODUCT.id, sales: 3, delays: [IDLE_CLOSE_WAIT_MS, 1_000, IDLE_CLOSE_WAIT_MS], gcSale: 1 });
  const run = start(session);
  const sales: SaleFigures[] = [];
  try {
    const idle = await run.waitFor(/test mem idle slotBytes (\d+) chunkBytes (\d+)\n/, 60_000);
    for (let sale = 1; sale <= 3; sale++) {
      const tap = await run.waitFor(new RegExp(`test tap ${sale} ${PRODUCT.id}\\n`), IDLE_CLOSE_WAIT_MS + SALE_MS);
      emulator.resetCounters();
      const from = tap.index;
      const qr = await waitForQr(run, sale, from);
      approveScanned(emulator, qr);
      const end = await run.waitFor(new RegExp(`test mem ${sale} slotBytes (\\d+) chunkBytes (\\d+) stackBytes (\\d+) live ([01]) samples (\\d+)\\n`), SALE_MS, from);
      await run.waitFor(new RegExp(`test sale ${sale} end `), 5_000, from);
      const record = await waitForRecord(emulator, qr.reference, settled);
      const pulsed = run.output.slice(from).includes(`pin ${PRODUCT.pin} pulse ${PRODUCT.pulseMs} ms\n`);
      sales.push({
        qr, record, counters: emulator.counters(), pulsed,
        mem: { slotBytes: Number(end[1]), chunkBytes: Number(end[2]), stackBytes: Number(end[3]), live: end[4] === '1', samples: Number(end[5]) },
      });
    }
    return { sales, idle: { slotBytes: Number(idle[1]), chunkBytes: Number(idle[2]) }, peakStackBytes: peakStackBytes(run.output), output: run.output };
  } catch (error) {
    (error as Error).message += `\n--- simulator output ---\n${run.tail(6000)}`;
    throw error;
  } finally {
    await run.kill();
  }
}

export interface RecoveryRun {
  reference: string;
  /** What the emulator holds once the restarted machine has settled the sale. */
  record: PaymentRecord;
  /** The journal's phase recovery found, and what it queued. */
  phase: string;
  queued: string;
  first: string;
  second: string;
}

/**
 * A power cut at a point of the sale, then a restart from the same Preference (the journal), and
 * the emulator's record once recovery has settled the payment:
 *  - 'qr': while the QR shows, before anybody paid;
 *  - 'release': the payment authorized and the release pulse begun, not finished;
 *  - 'capture': the release done and the capture on its way (the emulator holds its answer 3 s);
 *  - 'hang': no kill: the pulse never ends; the watchdog restarts the app.
 */
export async function runRecovery(session: SimSession, cut: 'qr' | 'release' | 'capture' | 'hang'): Promise<RecoveryRun> {
  const { emulator } = session;
  freshMachine({ tap: PRODUCT.id, sales: 1, delays: [300], ...(cut === 'hang' ? { hang: 'pulse' as const } : {}) });
  const first = start(session);
  let reference = '';
  try {
    const qr = await waitForQr(first, 1);
    reference = qr.reference;
    if (cut === 'qr') {
      await first.kill();
    } else {
      if (cut === 'capture') emulator.injectFault({ kind: 'latency', route: 'POST /epayment/v1/payments/{reference}/capture', delayMs: 3_000, times: 1 });
      approveScanned(emulator, qr);
      if (cut === 'release') await first.waitFor(new RegExp(`pin ${PRODUCT.pin} pulse ${PRODUCT.pulseMs} ms\\n`), SALE_MS);
      else if (cut === 'capture') {
        // The pulse is over; the same turn journals phase 'capture' and sends the capture, which
        // the emulator now holds for 3 s: cut the power in the middle of that.
        await first.waitFor(new RegExp(`pin ${PRODUCT.pin} pulse done \\d+ ms\\n`), SALE_MS);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      else await first.waitFor(/watchdog: restart\n/, SALE_MS);
      await first.kill();
    }
  } catch (error) {
    await first.kill();
    (error as Error).message += `\n--- simulator output ---\n${first.tail(6000)}`;
    throw error;
  }
  const second = start(session);
  try {
    const recovered = await second.waitFor(/log warn recovery: sale \S+ was open in phase (\w+); queued (\w+)\n/, 60_000);
    const record = await waitForRecord(emulator, reference, settled);
    await second.waitFor(new RegExp(`log info settled \\w+ ${reference}: \\S+`), 30_000);
    return { reference, record, phase: recovered[1]!, queued: recovered[2]!, first: first.output, second: second.output };
  } catch (error) {
    (error as Error).message += `\n--- first run ---\n${first.tail(3000)}\n--- second run ---\n${second.tail(6000)}`;
    throw error;
  } finally {
    await second.kill();
    emulator.clearFaults();
  }
}

export interface SimBench {
  tlsHandshakesPerSale: number;
  requestsPerSale: number;
  tapToQrRequests: number;
  tapToQrMs: number;
  tapToQrColdMs: number;
  peakSlots: number;
  peakChunkBytes: number;
  peakStackSlots: number;
  idleSlots: number;
  idleChunkBytes: number;
  /** The limits the simulator ran under: the root manifest's creation, the ESP32 build's too. */
  creation: ReturnType<typeof manifestCreation>;
}

/** sizeof(txSlot) in the 64-bit simulator (16 on the ESP32): bytes to slot counts. */
export const SIM_SLOT_BYTES = 32;

export function simBenchOf(run: MeasuredRun): SimBench {
  const [cold, warm, coldAgain] = run.sales as [SaleFigures, SaleFigures, SaleFigures];
  const requests = (counters: SaleFigures['counters']) => Object.values(counters.requests).reduce((sum, count) => sum + count, 0);
  return {
    tlsHandshakesPerSale: warm.counters.tlsHandshakes,
    requestsPerSale: requests(warm.counters),
    tapToQrRequests: warm.qr.requests,
    tapToQrMs: warm.qr.ms,
    tapToQrColdMs: coldAgain.qr.ms,
    peakSlots: Math.round(cold.mem!.slotBytes / SIM_SLOT_BYTES),
    peakChunkBytes: cold.mem!.chunkBytes,
    peakStackSlots: Math.round(run.peakStackBytes / SIM_SLOT_BYTES),
    idleSlots: Math.round(run.idle.slotBytes / SIM_SLOT_BYTES),
    idleChunkBytes: run.idle.chunkBytes,
    creation: manifestCreation(),
  };
}

export interface ConsoleRun {
  /** The console's answers, in order. */
  answers: string[];
  output: string;
  /** The secrets domain as the simulator left it in Preference. */
  stored: Record<string, unknown> | undefined;
}

/** Types lines on the serial console of a running machine (the serialIn file) and collects the answers. */
export async function runSerialConsole(session: SimSession, lines: string[]): Promise<ConsoleRun> {
  freshMachine({ tap: PRODUCT.id, sales: 0, delays: [] });
  const run = start(session);
  try {
    await run.waitFor(/serial> ok qr-vending console ready; type help\n/, 60_000);
    const answers: string[] = [];
    for (const line of lines) {
      const from = run.output.length;
      appendFileSync(TEST_SERIAL_FILE, `${line}\n`);
      await run.waitFor(/serial> (ok|error) /, 10_000, from);
      await new Promise((resolve) => setTimeout(resolve, 300));
      answers.push(...tracedLines(run.output.slice(from), 'serial>'));
    }
    await run.kill();
    return { answers, output: run.output, stored: readPreferences()[`${TEST_DOMAIN}-sec`] };
  } catch (error) {
    (error as Error).message += `\n--- simulator output ---\n${run.tail(4000)}`;
    throw error;
  } finally {
    await run.kill();
  }
}
