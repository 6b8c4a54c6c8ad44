// The desktop machine, put together: the built-in ePayment emulator (unless EPAYMENT_BASE_URL
// names another service), the machine in its own process, and the page's server. `npm start`
// (tools/start.ts) is this plus printing; tests, the bench and the soak start it the same way.
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineConfig } from 'app/config/machine-config';
import { validateMachineConfig } from 'app/config/validate';
import { FAST_TIMING, type MachineTiming } from 'app/sale/machine';
import { credentialsFromEnv, startEmulator, type Emulator } from '../../../tools/emulator/index';
import { MachineSupervisor, type LogLine } from './machine-supervisor';
import { startPageServer, type PageServer } from './server';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEFAULT_CONFIG = resolve(REPO_ROOT, 'config/sample-machine.json');
export const DEFAULT_STATE_DIR = resolve(REPO_ROOT, '.state/desktop');
export const DEFAULT_PAGE_PORT = 3000;

/** --fast: the machine's FAST_TIMING (app/sale/machine), and the walk-away timeout becomes 5 s. */
export const FAST_WALK_AWAY_SECONDS = 5;

export interface DesktopOptions {
  configPath?: string;
  /** The page's port; default 3000, or a free one when 3000 is taken; 0: any free port. */
  port?: number;
  /** Listen address of the page and the emulator; beyond loopback, phones on the LAN can pay. */
  host?: string;
  stateDir?: string;
  fast?: boolean;
  /** Overrides on top of --fast's (or the machine's own) timings. */
  timing?: Partial<MachineTiming>;
  walkAwayTimeoutSeconds?: number;
  env?: NodeJS.ProcessEnv;
  emulatorPort?: number;
  emulatorSeed?: number;
  /** How long a power cut keeps the machine off unless the request says. */
  offMs?: number;
  /** Each log line as it comes (npm start prints them). */
  onLog?: (line: LogLine) => void;
  /** Link the machine to a fleet: its credentials file ({posId, url, password, key}), and the broker's CA for mqtts:// with a private CA. */
  fleetCredentials?: string;
  fleetCa?: string;
  /** An emulator already started (startDesktopEmulator) for the desktop to use and close; `npm start -- --fleet` hands the fleet its keys first. */
  emulator?: Emulator;
}

/** The built-in emulator as the desktop starts it: on the page's address, the state in the state folder. */
export function startDesktopEmulator(options: Pick<DesktopOptions, 'host' | 'stateDir' | 'env' | 'emulatorPort' | 'emulatorSeed'> = {}): Promise<Emulator> {
  return startEmulator({
    host: options.host ?? '127.0.0.1',
    port: options.emulatorPort ?? 0,
    credentials: credentialsFromEnv(options.env ?? process.env),
    stateFile: resolve(resolve(options.stateDir ?? DEFAULT_STATE_DIR), 'emulator.json'),
    ...(options.emulatorSeed === undefined ? {} : { seed: options.emulatorSeed }),
  });
}

export interface Desktop {
  pageUrl: string;
  /** The built-in emulator; undefined when EPAYMENT_BASE_URL names another service. */
  emulator: Emulator | undefined;
  /** The base URL the machine pays through. */
  baseUrl: string;
  config: MachineConfig | undefined;
  configProblem: string | undefined;
  supervisor: MachineSupervisor;
  close(): Promise<void>;
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** An address of this machine a phone on the LAN can reach (for the QR's URL). */
export function lanAddress(host: string): string {
  if (!WILDCARD.has(host)) return host;
  const addresses = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4');
  return addresses[0]?.address ?? '127.0.0.1';
}

function readMachineConfig(path: string): { config?: MachineConfig; problem?: string } {
  try {
    return { config: validateMachineConfig(JSON.parse(readFileSync(path, 'utf8'))) };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

export async function startDesktop(options: DesktopOptions = {}): Promise<Desktop> {
  const env = options.env ?? process.env;
  const host = options.host ?? '127.0.0.1';
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const configPath = resolve(options.configPath ?? DEFAULT_CONFIG);
  const { config, problem } = readMachineConfig(configPath);

  let emulator: Emulator | undefined = options.emulator;
  let baseUrl = emulator ? '' : env.EPAYMENT_BASE_URL || '';
  if (!baseUrl) {
    emulator ??= await startDesktopEmulator({ host, stateDir, env, emulatorPort: options.emulatorPort, emulatorSeed: options.emulatorSeed });
    // The QR carries the URL the machine's create went to: on a LAN address, a phone can open it.
    const url = new URL(emulator.baseUrl);
    url.hostname = lanAddress(host);
    baseUrl = url.origin;
  }

  const timing = { ...(options.fast ? FAST_TIMING : {}), ...options.timing };
  const walkAway = options.walkAwayTimeoutSeconds ?? (options.fast ? FAST_WALK_AWAY_SECONDS : undefined);
  const supervisor = new MachineSupervisor({
    init: {
      configPath, stateDir, baseUrl, builtInEmulator: emulator !== undefined, timing,
      ...(walkAway === undefined ? {} : { walkAwayTimeoutSeconds: walkAway }),
      ...(options.fleetCredentials ? { fleetCredentials: resolve(options.fleetCredentials) } : {}),
      ...(options.fleetCa ? { fleetCa: resolve(options.fleetCa) } : {}),
    },
    config,
    env,
  });
  if (options.onLog) supervisor.on('log', options.onLog);

  let server: PageServer;
  const serverOptions = {
    supervisor,
    config,
    host,
    ...(options.offMs === undefined ? {} : { offMs: options.offMs }),
    ...(emulator ? { emulator: { baseUrl, testerPage: `${baseUrl}/` }, customer: emulator } : {}),
  };
  try {
    if (options.port === undefined) {
      try {
        server = await startPageServer({ ...serverOptions, port: DEFAULT_PAGE_PORT });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
        server = await startPageServer({ ...serverOptions, port: 0 });
      }
    } else {
      server = await startPageServer({ ...serverOptions, port: options.port });
    }
    await supervisor.start();
  } catch (error) {
    supervisor.stop();
    await emulator?.close();
    throw error;
  }
  const pageUrl = WILDCARD.has(host) ? server.url.replace('127.0.0.1', lanAddress(host)) : server.url;
  return {
    pageUrl,
    emulator,
    baseUrl,
    config,
    configProblem: problem,
    supervisor,
    async close() {
      supervisor.stop();
      await server.close();
      await emulator?.close();
    },
  };
}
