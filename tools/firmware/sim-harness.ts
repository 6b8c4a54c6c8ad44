// Building the firmware for the Moddable simulator and running it headless against the emulator:
// what `npm run sim`, the end-to-end test (tests/node/moddable-sale.test.ts) and the bench's `sim`
// section share. The app is the real one (manifest.json); a test build adds settings: the
// emulator's URL and keys as build-time TEST credentials, the test driver, short timings.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Emulator } from '../emulator/index';
import { ensureCertificateChain } from '../emulator/certificates';
import { APP_NAME, moddableEnv, REPO_ROOT } from './moddable-env';

/** Where the simulator's Preference keeps every app's values on Linux (mc/config file.root). */
export const PREFERENCES_FILE = '/tmp/modpreferences.json';

/** The creation the root manifest gives every build, the simulator's included. */
export function manifestCreation(): { chunk: number; heap: number; stack: number; chunkIncremental: number; heapIncremental: number } {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'manifest.json'), 'utf8')) as { creation: { chunk: { initial: number; incremental: number }; heap: { initial: number; incremental: number }; stack: number } };
  const { chunk, heap, stack } = manifest.creation;
  return { chunk: chunk.initial, heap: heap.initial, stack, chunkIncremental: chunk.incremental, heapIncremental: heap.incremental };
}

/** mcconfig settings that point a build at the emulator with its keys (TEST credentials: never production). */
export function emulatorSettings(emulator: Emulator): Record<string, string> {
  const { credentials } = emulator;
  return {
    testBaseUrl: emulator.httpsBaseUrl ?? emulator.baseUrl,
    testClientId: credentials.clientId,
    testClientSecret: credentials.clientSecret,
    testSubscriptionKey: credentials.subscriptionKey,
    testMsn: credentials.merchantSerialNumber,
  };
}

/** Builds manifest.json for sim/moddable_two (debug: Instrumentation and Debug.gc need it); returns mc.so. */
/**
 * The simulator build bundles the emulator's root certificate (`.emulator/certs/root-ca.der`, named
 * by hosts/moddable/manifest_sim.json): a fresh clone has none until the emulator first ran, so the
 * build makes the chain itself (the same files and lock the emulator uses; kept while usable).
 */
export function ensureSimulatorCertificates(root = REPO_ROOT): string {
  return ensureCertificateChain(join(root, '.emulator/certs')).rootDerPath;
}

export async function buildSimulatorApp(settings: Record<string, string>, outDir = mkdtempSync(join(tmpdir(), 'qrvend-fw-'))): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  ensureSimulatorCertificates();
  const args = ['-d', '-m', '-p', 'sim/moddable_two', '-t', 'build', '-o', outDir, ...Object.entries(settings).map(([key, value]) => `${key}=${value}`)];
  try {
    await promisify(execFile)('mcconfig', args, { cwd: REPO_ROOT, env: moddableEnv(), maxBuffer: 64 << 20 });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`mcconfig failed:\n${(failed.stderr ?? '').slice(-4000)}\n${(failed.stdout ?? '').slice(-4000)}`);
  }
  // The simulator picks the Moddable Two skin by this path.
  return join(outDir, 'bin/lin/moddable_two/debug', APP_NAME, 'mc.so');
}

type Preferences = Record<string, Record<string, unknown>>;

export function readPreferences(): Preferences {
  try {
    return existsSync(PREFERENCES_FILE) ? (JSON.parse(readFileSync(PREFERENCES_FILE, 'utf8')) as Preferences) : {};
  } catch {
    return {};
  }
}

/**
 * Sets the app's Preference domains (`domain`, `<domain>-sec`, `-cfg`, `-tst`) before a run, leaving
 * other apps' alone: undefined removes a domain. Only while no simulator runs: a running one keeps
 * all of them in memory and writes them back whole.
 */
export function setDomains(domain: string, values: Partial<Record<'' | '-sec' | '-cfg' | '-tst', Record<string, string> | undefined>>): void {
  const all = readPreferences();
  for (const [suffix, entries] of Object.entries(values)) {
    const name = `${domain}${suffix}`;
    if (entries === undefined) delete all[name];
    else all[name] = entries;
  }
  writeFileSync(PREFERENCES_FILE, JSON.stringify(all));
}

/** One run of mcsim, headless, in its own process group so that a kill takes the whole tree. */
export class SimulatorRun {
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<() => void>();

  constructor(mcSo: string, onLine?: (line: string) => void) {
    this.child = spawn('xvfb-run', ['-a', 'stdbuf', '-oL', 'mcsim', mcSo], { env: moddableEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      this.output += text;
      if (onLine) {
        partial += text;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      }
      for (const waiter of [...this.waiters]) waiter();
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => {
      for (const waiter of [...this.waiters]) waiter();
      resolve(code);
    }));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first match of `pattern` in the output (searched from `from`), or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(this.output.slice(from));
        if (match) {
          done();
          resolve(match);
        } else if (!this.running) {
          done();
          reject(new Error(`the simulator exited before ${pattern}:\n${this.tail()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** A power cut: SIGKILL to the whole process group (xvfb-run, Xvfb, mcsim), nothing flushed. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.pid !== undefined && this.running) {
      try {
        process.kill(-this.child.pid, signal);
      } catch {
        // already gone
      }
    }
    await this.exited;
  }

  tail(chars = 4000): string {
    return this.output.slice(-chars);
  }
}

/** The lines of `output` that start with `prefix` and a space, without the prefix. */
export function tracedLines(output: string, prefix: string): string[] {
  return output.split('\n').filter((line) => line.startsWith(`${prefix} `)).map((line) => line.slice(prefix.length + 1));
}
