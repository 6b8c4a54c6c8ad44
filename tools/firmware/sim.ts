// npm run sim [-- options]: the firmware in the Moddable simulator (Moddable Two skin) against the
// local emulator over HTTPS, with the emulator's root CA (simulator builds bundle it) and its keys
// as build-time TEST credentials. Starts the emulator itself and prints its tester page, where you
// approve the payment the QR shows (or open the QR's link). Lines you type are the machine's serial
// console (the provisioning protocol: try `help`, `show`, `status`). If the watchdog restarts the
// app, it is started again, as the chip would reboot. Ctrl-C ends everything.
//   --fast       the machine's waits cut down (as npm start --fast)
//   --headless   no window even where there is a display (xvfb-run)
//   key=value    any other mc/config setting
// The machine's journal lives in the simulator's Preference (/tmp/modpreferences.json, domain
// "qrvend"): it survives restarts, as on the device.
import { appendFileSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startEmulator } from '../emulator/index';
import { exitMissing, missingForSimulator, moddableEnv } from './moddable-env';
import { buildSimulatorApp, emulatorSettings } from './sim-harness';

const SERIAL_FILE = '/tmp/qrvend-serial.txt';

async function main(): Promise<void> {
  const missing = missingForSimulator();
  if (missing) exitMissing(missing, false);
  const argv = process.argv.slice(2);
  const headless = argv.includes('--headless') || !process.env.DISPLAY;
  const extra = Object.fromEntries(argv.filter((arg) => /^[A-Za-z][\w.]*=/.test(arg)).map((arg) => [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]));
  const emulator = await startEmulator({ port: 0, httpsPort: 0 });
  console.log(`emulator: ${emulator.httpsBaseUrl} (API), tester page ${emulator.baseUrl}/`);
  writeFileSync(SERIAL_FILE, '');
  console.log('building the firmware for sim/moddable_two ...');
  const mcSo = await buildSimulatorApp({ ...emulatorSettings(emulator), serialIn: SERIAL_FILE, ...(argv.includes('--fast') ? { testTiming: '1' } : {}), ...extra });
  let child: ChildProcess | undefined;
  let stopping = false;
  const run = () => {
    const command = headless ? ['xvfb-run', '-a', 'stdbuf', '-oL', 'mcsim', mcSo] : ['stdbuf', '-oL', 'mcsim', mcSo];
    child = spawn(command[0]!, command.slice(1), { env: moddableEnv(), stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('instruments')) return;
      console.log(line);
      if (line === 'watchdog: restart') {
        console.log('(the watchdog restarted the app: starting it again)');
        stop(child);
      }
    });
    child.on('close', () => { if (!stopping) setTimeout(run, 200); });
  };
  const stop = (process_: ChildProcess | undefined) => {
    if (process_?.pid !== undefined) try { process.kill(-process_.pid, 'SIGTERM'); } catch { /* gone */ }
  };
  console.log(headless ? 'simulator: headless (no DISPLAY); the trace follows' : 'simulator: window opening');
  console.log('serial console: type a line and press Enter (help, show, status, set ..., reboot)');
  run();
  createInterface({ input: process.stdin }).on('line', (line) => appendFileSync(SERIAL_FILE, `${line}\n`));
  const end = async () => {
    stopping = true;
    stop(child);
    await emulator.close();
    process.exit(0);
  };
  process.on('SIGINT', end);
  process.on('SIGTERM', end);
  process.on('exit', () => stop(child));
}

void main();
