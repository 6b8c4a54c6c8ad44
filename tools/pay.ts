// `npm run pay -- --amount 2500 --currency NOK --description "Ear buds"`: one whole sale from the
// terminal against EPAYMENT_BASE_URL (the test environment, production or the emulator), to check
// credentials before flashing. The exit code says how the sale ended (see --help).
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { EpaymentClient } from 'epayment/client';
import type { Log } from 'ports/log';
import { NodeHttpTransport } from '../hosts/node/http-transport';
import { systemClock } from '../hosts/node/system-clock';
import { parsePayOptions, USAGE, UsageError, type PayOptions } from './pay/options';
import { saveQrPng } from './pay/qr-png';
import { EXIT_CODES, runSale, type SaleIO } from './pay/sale';
import { qrToText } from './pay/terminal-qr';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

let options: PayOptions | 'help';
try {
  options = parsePayOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`pay: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options === 'help') {
  console.log(USAGE);
  process.exit(0);
}
const opts = options;
const tty = process.stdout.isTTY === true;

let statusShown = '';
const endStatus = () => {
  if (tty && statusShown) process.stdout.write('\n');
  statusShown = '';
};
const io: SaleIO = {
  print(line) {
    endStatus();
    process.stdout.write(`${line}\n`);
  },
  status(line) {
    if (line === statusShown) return;
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else process.stdout.write(`${line}\n`);
    statusShown = line;
  },
  showQr(redirectUrl, matrix) {
    endStatus();
    process.stdout.write(`${qrToText(matrix, { color: tty })}\n${redirectUrl}\n`);
    saveQrPng(matrix, opts.pngPath);
    process.stdout.write(`QR screen saved as ${opts.pngPath}\n`);
  },
  askDelivered() {
    endStatus();
    process.stdout.write('was the product delivered? [y/N] ');
    const rl = createInterface({ input: process.stdin });
    return new Promise<boolean>((resolve) => {
      let answered = false;
      rl.once('line', (line) => {
        answered = true;
        rl.close();
        resolve(/^\s*y(es)?\s*$/i.test(line));
      });
      rl.once('close', () => {
        if (!answered) resolve(false);
      });
    });
  },
};

// Retries and token renewals show up as warnings; the client scrubs secrets from every line.
const log: Log = { info() {}, warn: (m) => io.print(`warning: ${m}`), error: (m) => io.print(`error: ${m}`) };
const transport = new NodeHttpTransport(opts.ca === undefined ? {} : { ca: opts.ca });
let client: EpaymentClient;
try {
  client = new EpaymentClient({
    baseUrl: opts.baseUrl,
    credentials: opts.credentials,
    system: { name: 'qr-vending', version, pluginName: 'pay-cli', pluginVersion: version },
    log,
  }, transport, systemClock);
} catch (error) {
  console.error(`pay: ${(error as Error).message}`);
  process.exit(2);
}

const interrupted = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
});
const result = await runSale(opts, { client, clock: systemClock, io, interrupted });
endStatus();
client.close();
io.print(`sale ${result.outcome} (exit ${EXIT_CODES[result.outcome]})`);
process.exit(EXIT_CODES[result.outcome]);
