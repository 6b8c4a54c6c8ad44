// `npm run bench`: the project's performance figures, one section per top-level key of the report
// (README: "Benchmark"). Tables on stdout by default; `--json` prints only the JSON object on stdout
// (run it as `npm run -s bench -- --json`: without -s npm prints its banner first); `--out FILE`
// writes the JSON to FILE; `--push-sales N` sets the push section's sales per mode. To add a
// section, add one entry to SECTIONS.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PAYMENT_QR_BOX } from 'app/layout';
import { benchQr, type QrBench } from './qr';
import { benchEpayment, printEpaymentTable, type EpaymentBench } from './epayment';
import { benchSale, printSaleTable, type SaleBench } from './sale';
import { benchDesktop, printDesktopTable, type DesktopBench } from './desktop';
import { benchSim, type SimBench } from './sim';
import { benchPush, printPushTable, PUSH_SALES, type PushBench } from './push';

/** One part of the report: `run` measures (and prints nothing), `print` shows the result as a table. */
export interface BenchSection<T = unknown> {
  key: string;
  run(options: BenchOptions): Promise<T>;
  print(result: T): void;
}

function section<T>(key: string, run: (options: BenchOptions) => Promise<T>, print: (result: T) => void): BenchSection {
  return { key, run, print: print as (result: unknown) => void };
}

function printQrTable(rows: QrBench[]): void {
  console.log(`QR (payment box ${PAYMENT_QR_BOX.width}x${PAYMENT_QR_BOX.height} on a 240x320 screen; XS counts are metering units and allocations, deterministic)`);
  console.table(rows.map((row) => ({
    chars: row.chars,
    version: row.version,
    scale: row.scale,
    'XS encode': row.xsEncodeMeter,
    'XS draw': row.xsDrawMeter,
    'XS draw slots': row.xsDrawAllocSlots,
    'XS draw bytes': row.xsDrawAllocBytes,
    'Node encode ms': row.nodeEncodeMs,
    'Node draw ms': row.nodeDrawMs,
    'bytes sent': row.bytesSent,
  })));
}

function printSimTable(sim: SimBench | undefined): void {
  if (!sim) {
    console.log('Simulator: skipped (MODDABLE is not set; see the README\'s firmware section)');
    return;
  }
  console.log('Simulator (the firmware in the Moddable simulator against the emulator over HTTPS; warm machine)');
  console.table(sim);
}

/** In report order. */
export const SECTIONS: readonly BenchSection[] = [
  section<QrBench[]>('qr', () => benchQr(), printQrTable),
  section<EpaymentBench>('epayment', () => benchEpayment(), printEpaymentTable),
  section<SaleBench>('sale', () => benchSale(), printSaleTable),
  section<DesktopBench>('desktop', () => benchDesktop(), printDesktopTable),
  section<PushBench>('push', (options) => benchPush(options.pushSales ?? PUSH_SALES), printPushTable),
  section<SimBench | undefined>('sim', () => benchSim(), printSimTable),
];

export interface BenchOptions {
  /** Print the JSON report on stdout, and nothing else. */
  json: boolean;
  /** Also write the JSON report to this file. */
  out?: string;
  /** Sales per mode in the push section (default PUSH_SALES). */
  pushSales?: number;
}

export const USAGE = 'usage: npm run -s bench -- [--json] [--out FILE] [--push-sales N]   (-s keeps npm\'s banner off stdout)';

/** The command line, or an Error whose message says what is wrong. */
export function parseBenchArgs(args: readonly string[]): BenchOptions | Error {
  const options: BenchOptions = { json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') options.json = true;
    else if (arg === '--out' || arg.startsWith('--out=')) {
      const file = arg === '--out' ? args[++i] : arg.slice('--out='.length);
      if (!file || file.startsWith('--')) return new Error('--out needs a file name');
      options.out = file;
    } else if (arg === '--push-sales') {
      const sales = Number(args[++i]);
      if (!Number.isInteger(sales) || sales < 1) return new Error('--push-sales needs a whole number of sales, at least 1');
      options.pushSales = sales;
    } else return new Error(`unknown argument ${arg}`);
  }
  return options;
}

export interface BenchIo {
  stdout(text: string): void;
  writeFile(file: string, text: string): void;
}

const nodeIo: BenchIo = {
  stdout: (text) => process.stdout.write(text),
  writeFile(file, text) {
    mkdirSync(dirname(resolve(file)), { recursive: true });
    writeFileSync(file, text);
  },
};

/**
 * Runs every section and reports. With --json stdout carries the JSON and nothing else: while the
 * sections run, console output (a section's progress line, say) goes to stderr instead.
 */
export async function runBench(options: BenchOptions, sections: readonly BenchSection[] = SECTIONS, io: BenchIo = nodeIo): Promise<Record<string, unknown>> {
  const report: Record<string, unknown> = {};
  await withConsoleOnStderr(options.json, async () => {
    for (const s of sections) report[s.key] = await s.run(options);
  });
  const text = `${JSON.stringify(report)}\n`;
  if (options.out !== undefined) io.writeFile(options.out, text);
  if (options.json) io.stdout(text);
  else for (const s of sections) s.print(report[s.key]);
  return report;
}

async function withConsoleOnStderr(enabled: boolean, body: () => Promise<void>): Promise<void> {
  if (!enabled) return body();
  const saved = { log: console.log, info: console.info, table: console.table, debug: console.debug };
  const toStderr = (...values: unknown[]) => console.error(...values);
  console.log = console.info = console.debug = toStderr;
  console.table = toStderr;
  try {
    await body();
  } finally {
    Object.assign(console, saved);
  }
}

// Run only as the program (`tsx tools/bench/main.ts`), not when a test imports the functions above.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options instanceof Error) {
    console.error(`bench: ${options.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    await runBench(options);
  }
}
