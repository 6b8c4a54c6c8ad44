// `npm start [-- options]`: the vending machine on this computer, in a browser. Starts the built-in
// ePayment emulator (unless EPAYMENT_BASE_URL names another service), the machine in its own
// process, and the page; prints the page's URL, then the emulator's. Needs no display; --open opens
// a browser. Ctrl-C stops everything; the next start recovers from the journal as the device does.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, DEFAULT_STATE_DIR, startDesktop, startDesktopEmulator } from '../hosts/node/desktop/desktop';
import type { Emulator } from './emulator/index';
import { DEFAULT_DESKTOP_PIN, missingCredentials, PIN_ENV, validPin } from '../hosts/node/desktop/secrets';
import { emulatorVippsKeys, startLocalFleet, type LocalFleet } from '../fleet/local-fleet';

/** The local fleet's page port with --fleet (a free one when it is taken). */
const FLEET_PAGE_PORT = 8090;

/** The configuration's posId (the fleet knows the machine by it). */
function machinePosId(configPath: string): string {
  const posId = (JSON.parse(readFileSync(configPath, 'utf8')) as { posId?: unknown }).posId;
  if (typeof posId !== 'string') throw new Error(`${configPath}: no posId`);
  return posId;
}

const USAGE = `usage: npm start -- [options]

  --config FILE      machine configuration (default config/sample-machine.json)
  --port N           the page's port (default 3000, or a free one if 3000 is taken; 0: any free port)
  --host ADDRESS     listen address of the page and the emulator (default 127.0.0.1); 0.0.0.0 lets
                     a phone on the LAN open the page and scan the QR
  --emulator-port N  the built-in emulator's port (default: a free one)
  --state-dir DIR    the journal, the service PIN's hash and the emulator's state (default .state/desktop)
  --fast             short waits for tests and the soak: polls every 500 ms, 5 s walk-away, 1 s result screens
  --fleet            also start a local fleet server (PGlite and its broker, state in .state/fleet) and
                     link the machine to it; prints the operator's page too. With the built-in
                     emulator the fleet holds its keys: it registers its webhook there, relays
                     authorizations to the machine, and makes refunds and the books from the page
  --fleet-credentials FILE
                     link the machine to a fleet elsewhere ({posId, url, password, key}, from the
                     fleet's --add-machine); --fleet-ca FILE: that broker's CA for mqtts://
  --quiet            do not print the machine's log
  --open             open the page in a browser
  -h, --help         this text

environment: EPAYMENT_BASE_URL (default: the built-in emulator), EPAYMENT_CLIENT_ID,
EPAYMENT_CLIENT_SECRET, EPAYMENT_SUBSCRIPTION_KEY, EPAYMENT_MSN, EPAYMENT_CA_FILE;
${PIN_ENV} (the service PIN, 6-12 digits; default ${DEFAULT_DESKTOP_PIN} on the desktop).`;

function port(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text) || Number(text) > 65535) throw new Error(`--${name} must be a port number, not ${text}`);
  return Number(text);
}

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.log(`(could not open a browser: open ${url} yourself)`));
  child.unref();
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'emulator-port': { type: 'string' },
        'state-dir': { type: 'string' },
        fast: { type: 'boolean', default: false },
        fleet: { type: 'boolean', default: false },
        'fleet-credentials': { type: 'string' },
        'fleet-ca': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        open: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    port(values.port, 'port');
    port(values['emulator-port'], 'emulator-port');
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const pin = process.env[PIN_ENV];
  if (pin && !validPin(pin)) {
    console.error(`${PIN_ENV} must be 6-12 digits`);
    process.exit(2);
  }
  if (process.env.EPAYMENT_BASE_URL && missingCredentials(process.env).length > 0) {
    console.error(`EPAYMENT_BASE_URL is ${process.env.EPAYMENT_BASE_URL}: set ${missingCredentials(process.env).join(', ')} too (the machine stays out of service without them)`);
  }
  const time = (at: number) => new Date(at).toISOString().slice(11, 23);
  // The URLs come first; the machine's first lines wait for them.
  const early: string[] = [];
  let printing = false;
  const print = (text: string) => (printing ? console.log(text) : early.push(text));
  const configPath = values.config ?? DEFAULT_CONFIG;
  let fleet: LocalFleet | undefined;
  let fleetCredentials = values['fleet-credentials'];
  const stateDir = values['state-dir'] ?? DEFAULT_STATE_DIR;
  const emulatorPort = values['emulator-port'] === undefined ? undefined : port(values['emulator-port'], 'emulator-port')!;
  let emulator: Emulator | undefined;
  if (values.fleet) {
    const posId = machinePosId(configPath);
    // The built-in emulator first, so the fleet can hold its merchant keys (webhooks, refunds, the report).
    if (!process.env.EPAYMENT_BASE_URL) emulator = await startDesktopEmulator({ ...(values.host ? { host: values.host } : {}), stateDir, emulatorPort });
    const vipps = emulator && emulatorVippsKeys(emulator);
    const start = (httpPort: number) => startLocalFleet({ httpPort, ...(vipps ? { vipps } : {}), log: (line) => print(`fleet: ${line}`) });
    fleet = await start(FLEET_PAGE_PORT).catch(() => start(0));
    fleetCredentials = await fleet.credentialsFor(posId);
  }
  const desktop = await startDesktop({
    ...(emulator ? { emulator } : {}),
    ...(fleetCredentials ? { fleetCredentials } : {}),
    ...(values['fleet-ca'] ? { fleetCa: values['fleet-ca'] } : {}),
    configPath,
    stateDir,
    fast: values.fast,
    ...(values.host ? { host: values.host } : {}),
    ...(values.port === undefined ? {} : { port: port(values.port, 'port')! }),
    ...(emulatorPort === undefined ? {} : { emulatorPort }),
    ...(values.quiet ? {} : { onLog: (line) => print(`${time(line.at)} ${line.level === 'info' ? '' : `${line.level}: `}${line.message}`) }),
  });
  console.log(`page:      ${desktop.pageUrl}`);
  if (desktop.emulator) console.log(`emulator:  ${desktop.baseUrl}/ (built-in ePayment emulator; admin API ${desktop.baseUrl}/emulator/info)`);
  else console.log(`ePayment:  ${desktop.baseUrl} (from EPAYMENT_BASE_URL)`);
  if (desktop.configProblem) console.log(`configuration: ${desktop.configProblem} (the machine is out of service)`);
  if (fleet) {
    console.log(`fleet:     ${fleet.server.operator?.http.url ?? '(no page)'} (operator page; broker ${fleet.server.mqttUrl}, state ${fleet.stateDir})`);
    if (fleet.server.vipps) console.log(`           holds the emulator's keys: webhooks to ${fleet.server.operator?.http.url ?? ''}webhooks/vipps, refunds and the books on the page`);
    console.log(`           log in as an operator made with: npm run fleet -- --add-operator NAME`);
  } else if (fleetCredentials) console.log(`fleet:     linked with ${fleetCredentials}`);
  console.log(`state:     ${values['state-dir'] ?? DEFAULT_STATE_DIR}; Ctrl-C to stop`);
  printing = true;
  for (const text of early.splice(0)) console.log(text);
  if (values.open) openBrowser(desktop.pageUrl);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    desktop.close().then(() => fleet?.close()).then(() => process.exit(0), (error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`start: ${(error as Error).message}`);
  process.exit(1);
});
