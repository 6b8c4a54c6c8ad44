// npm run build:esp32 [-- options] and npm run flash [-- options]: the firmware for the ESP32.
//   --board moddable_two (default: the reference board) | plain (an ESP32 DevKit with an ILI9341 +
//           XPT2046 on the pins of hosts/moddable/esp32/manifest_ili9341.json)
//   --release        a release build (no xsbug, traces reduced): what production machines run;
//                    refuses every test-only setting (hosts/moddable/release-settings.ts)
//   --ssid NAME --password PASS   Wi-Fi built in (else provision it: set wifiSsid / wifiPassword)
//   key=value        any other mc/config setting (see the README's firmware section)
// flash also needs UPLOAD_PORT (e.g. /dev/ttyUSB0), or --port. A Moddable Two is programmed through
// the Moddable Programmer (its own USB port only powers it): the port is the Programmer's. Without MODDABLE or ESP-IDF it says
// what is missing and exits non-zero; nothing here was tried on a board (none was at hand).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseProblem } from '../../hosts/moddable/release-settings';
import { exitMissing, missingForDevice, moddableEnv, REPO_ROOT, ROOT_MANIFEST } from './moddable-env';

export interface DeviceBuild {
  board: 'moddable_two' | 'plain';
  release: boolean;
  settings: string[];
  port?: string;
}

export function parseDeviceArgs(argv: string[]): DeviceBuild {
  const build: DeviceBuild = { board: 'moddable_two', release: false, settings: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    if (arg === '--board') {
      const board = next();
      if (board !== 'moddable_two' && board !== 'plain') throw new Error('--board is moddable_two or plain');
      build.board = board;
    } else if (arg === '--release') build.release = true;
    else if (arg === '--ssid') build.settings.push(`wifiSsid=${next()}`);
    else if (arg === '--password') build.settings.push(`wifiPassword=${next()}`);
    else if (arg === '--port') build.port = next();
    else if (/^[A-Za-z][\w.]*=/.test(arg)) build.settings.push(arg);
    else throw new Error(`unknown argument ${arg}`);
  }
  // Not the SDK's names: `ssid` would make setup/network wait for an IP before the app starts.
  if (build.settings.some((setting) => /^(ssid|password)=/.test(setting))) throw new Error('use --ssid/--password (wifiSsid=/wifiPassword=), not ssid=/password=');
  if (build.release) {
    const problem = releaseProblem(Object.fromEntries(build.settings.map((setting) => [setting.slice(0, setting.indexOf('=')), setting.slice(setting.indexOf('=') + 1)])));
    if (problem) throw new Error(`${problem}; build without --release for tests`);
    build.settings.push('release=1');
  }
  return build;
}

/** What flash says about the cable and the port (a Moddable Two's own USB port only powers it). */
export function flashHelp(board: DeviceBuild['board'], port?: string): string {
  if (board === 'moddable_two') {
    const where = port ? `flashing over ${port}, which must be the Programmer's serial port` : "--port (or UPLOAD_PORT) is the Programmer's serial port";
    return `Moddable Two: programmed through the Moddable Programmer on its programming header (the board's own USB port only powers it): ${where} (e.g. /dev/ttyUSB0 on Linux, /dev/cu.usbserial-* on macOS).`;
  }
  return `ESP32 DevKit: programmed over its own USB port: ${port ? `flashing over ${port}` : '--port (or UPLOAD_PORT) is its serial port'}.`;
}

/** The manifest and platform for a board: the plain one wraps the root manifest with its display. */
export function manifestFor(board: DeviceBuild['board']): { manifest: string; platform: string } {
  if (board === 'moddable_two') return { manifest: ROOT_MANIFEST, platform: 'esp32/moddable_two' };
  const folder = join(tmpdir(), 'qrvend-esp32');
  mkdirSync(folder, { recursive: true });
  const manifest = join(folder, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ include: [ROOT_MANIFEST, join(REPO_ROOT, 'hosts/moddable/esp32/manifest_ili9341.json')] }, null, '\t'));
  return { manifest, platform: 'esp32' };
}

export function runDevice(build: DeviceBuild, flash: boolean): number {
  const missing = missingForDevice();
  if (missing) exitMissing(missing, true);
  const env = moddableEnv();
  if (flash) {
    const port = build.port ?? env.UPLOAD_PORT;
    if (!port) {
      console.error(`error: set UPLOAD_PORT (e.g. UPLOAD_PORT=/dev/ttyUSB0 npm run flash) or pass --port /dev/ttyUSB0\n${flashHelp(build.board)}`);
      return 2;
    }
    env.UPLOAD_PORT = port;
    console.log(flashHelp(build.board, port));
  }
  const { manifest, platform } = manifestFor(build.board);
  // Debug builds (-d) connect to xsbug after flashing; release builds do not and trace less.
  const args = [...(build.release ? [] : ['-d']), '-m', '-p', platform, ...(flash ? [] : ['-t', 'build']), manifest, ...build.settings];
  console.log(`mcconfig ${args.join(' ')}`);
  const result = spawnSync('mcconfig', args, { cwd: REPO_ROOT, env, stdio: 'inherit' });
  return result.status ?? 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flash = process.argv.includes('--flash');
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(`npm run ${flash ? 'flash' : 'build:esp32'} -- [--board moddable_two|plain] [--release] [--ssid S --password P]${flash ? ' [--port /dev/ttyUSB0]' : ''} [key=value ...]`);
    if (flash) console.log(`${flashHelp('moddable_two')}\n${flashHelp('plain')}`);
    process.exit(0);
  }
  let build: DeviceBuild;
  try {
    build = parseDeviceArgs(process.argv.slice(2).filter((arg) => arg !== '--flash'));
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    process.exit(2);
  }
  process.exit(runDevice(build, flash));
}
