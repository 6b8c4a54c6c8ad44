// `npm run pay -- --amount 2500 --currency NOK --description "Ear buds"`: one whole sale from the
// terminal against EPAYMENT_BASE_URL (the test environment, production or the emulator), to check
// credentials before flashing. It runs the machine's own controller (tools/pay/host.ts): the
// terminal's "delivered?" question is the product's output, Ctrl-C its Cancel button. The exit
// code says how the sale ended (see --help).
import { readFileSync } from 'node:fs';
import { EpaymentClient } from 'epayment/client';
import type { Log } from 'ports/log';
import { FileStore } from '../hosts/node/file-store';
import { NodeHttpTransport } from '../hosts/node/http-transport';
import { systemClock } from '../hosts/node/system-clock';
import { EXIT, PayHost } from './pay/host';
import { parsePayOptions, USAGE, UsageError, type PayOptions } from './pay/options';
import { Terminal } from './pay/terminal';
import { WatchedApi } from './pay/watched-api';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let options: PayOptions | 'help';
try {
  options = parsePayOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`pay: ${error.message}\n\n${USAGE}`);
  process.exit(EXIT.usage);
}
if (options === 'help') {
  console.log(USAGE);
  process.exit(0);
}
const opts = options;
const terminal = new Terminal();

// Retries and token renewals show up as warnings; the client scrubs secrets from every line.
const clientLog: Log = { info() {}, warn: (m) => terminal.print(`warning: ${m}`), error: (m) => terminal.print(`error: ${m}`) };
const transport = new NodeHttpTransport(opts.ca === undefined ? {} : { ca: opts.ca });
let client: EpaymentClient;
try {
  client = new EpaymentClient({
    baseUrl: opts.baseUrl,
    credentials: opts.credentials,
    system: { name: 'qr-vending', version, pluginName: 'pay-cli', pluginVersion: version },
    log: clientLog,
  }, transport, systemClock);
} catch (error) {
  console.error(`pay: ${(error as Error).message}`);
  process.exit(EXIT.usage);
}

let store: FileStore;
try {
  store = new FileStore(opts.stateDir);
} catch (error) {
  console.error(`pay: cannot use ${opts.stateDir} for the journal: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (--state)`);
  process.exit(EXIT.usage);
}

const host = new PayHost({ options: opts, api: new WatchedApi(client), store, terminal, input: process.stdin, stateDir: opts.stateDir });
// Ctrl-C and SIGTERM are the Cancel button; the second one leaves at once, saying what may still be reserved.
const onSignal = () => {
  const lines = host.interrupt();
  if (!lines) return;
  for (const line of lines) terminal.print(line);
  process.exit(EXIT.interrupted);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await host.run();
terminal.endStatus();
client.close();
terminal.print(`sale ${exitName(code)} (exit ${code})`);
process.exit(code);

function exitName(code: number): string {
  const names: Record<number, string> = { 0: 'captured', 1: 'failed', 2: 'not started', 3: 'not delivered', 4: 'aborted', 5: 'expired', 6: 'terminated', 130: 'interrupted' };
  return names[code] ?? 'ended';
}
