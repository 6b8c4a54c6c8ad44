// `npm run demo [-- --auto] [pay options]`: the machine's sale on the desktop, against the project's
// own ePayment emulator. Starts the emulator on 127.0.0.1:8080 (or a free port), then runs one sale
// with the pay command: the QR in the terminal and in screen.png, polling, capture.
// Interactive by default: approve on the tester page, as the customer would in the app, then say
// the product came out. `--auto` approves after a few seconds and answers yes, for a hands-free run.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator, type Emulator } from './emulator/index';

const AUTO_APPROVE_AFTER_MS = 3000;
const args = process.argv.slice(2);
const auto = args.includes('--auto');
const payArgs = args.filter((arg) => arg !== '--auto');

async function startOnPreferredPort(): Promise<Emulator> {
  try {
    return await startEmulator({ port: 8080 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startEmulator({ port: 0 });
  }
}

/** Approves the first payment that appears, as a customer would after scanning. */
function approveWhenCreated(emulator: Emulator): () => void {
  const timer = setInterval(() => {
    const waiting = emulator.payments().find((payment) => payment.state === 'CREATED');
    if (!waiting) return;
    clearInterval(timer);
    setTimeout(() => {
      console.log(`\n[demo] the customer approves ${waiting.reference} in the app`);
      emulator.approve(waiting.reference);
    }, AUTO_APPROVE_AFTER_MS);
  }, 200);
  return () => clearInterval(timer);
}

const emulator = await startOnPreferredPort();
console.log(`[demo] ePayment emulator at ${emulator.baseUrl}; tester page ${emulator.baseUrl}/`);
console.log(auto
  ? '[demo] hands-free: the payment is approved a few seconds after the QR appears'
  : '[demo] approve the payment on the tester page (or open the QR link in a browser), then answer y');
const stopApproving = auto ? approveWhenCreated(emulator) : () => {};

const pay = spawn(join(import.meta.dirname, '../node_modules/.bin/tsx'), [
  join(import.meta.dirname, 'pay.ts'),
  '--amount', '3500',
  '--description', 'Sparkling water 0.5 l',
  '--pos-id', 'demo-machine',
  '--png', 'screen.png',
  '--poll-first-ms', '2000',
  ...(auto ? ['--yes'] : []),
  ...payArgs,
], { stdio: 'inherit', env: { ...process.env, EPAYMENT_BASE_URL: emulator.baseUrl } });

// Ctrl-C reaches the pay command too, which cancels the payment; the demo waits for it.
process.on('SIGINT', () => {});
pay.on('close', async (code) => {
  stopApproving();
  await emulator.close();
  process.exit(code ?? 1);
});
