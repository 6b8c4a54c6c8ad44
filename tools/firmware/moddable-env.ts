// Where the Moddable SDK (and, for the device, ESP-IDF) is, and what to say when it is not: every
// firmware command (npm run sim, test:sim, build:esp32, flash) starts here.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ROOT_MANIFEST = join(REPO_ROOT, 'manifest.json');
/** mcconfig names its output folders after the app's folder (the checkout need not be called `main`). */
export const APP_NAME = basename(resolve(REPO_ROOT));

export const SETUP_HELP = [
  'Install the Moddable SDK and set MODDABLE to it, with $MODDABLE/build/bin/lin/release (mac, win) on PATH:',
  '  the quickest way is the xs-dev tool:   npx xs-dev setup            (https://xs-dev.js.org)',
  '  or the SDK\'s own guide:               https://github.com/Moddable-OpenSource/moddable/blob/public/documentation/Moddable%20SDK%20-%20Getting%20Started.md',
].join('\n');

export const IDF_HELP = [
  'ESP32 builds need ESP-IDF (the version the Moddable SDK names) with IDF_PATH set:',
  '  npx xs-dev setup --device esp32',
  '  or https://github.com/Moddable-OpenSource/moddable/blob/public/documentation/devices/esp32.md',
].join('\n');

/** The environment for mcconfig/mcsim: the SDK's tools and the project's own TypeScript first on PATH. */
export function moddableEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const moddable = env.MODDABLE ?? '';
  const platform = process.platform === 'darwin' ? 'mac' : process.platform === 'win32' ? 'win' : 'lin';
  const tools = join(moddable, 'build/bin', platform, 'release');
  return { ...env, PATH: [join(REPO_ROOT, 'node_modules/.bin'), tools, env.PATH ?? ''].join(':') };
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { env, stdio: 'ignore' }).status === 0;
}

/**
 * The oldest SDK the firmware builds with: Digital's `activeLow` and `initialValue` came in 8.2.0.
 * An older SDK ignores both and drives an output low before it becomes one, so an active-low relay
 * is on from boot and every pulse switches it off.
 */
export const MIN_SDK_VERSION = '8.2.0';

/** The SDK's version as it states it ($MODDABLE/tools/VERSION, one line such as `8.2.3`), or undefined. */
export function sdkVersion(moddable: string): string | undefined {
  const file = join(moddable, 'tools/VERSION');
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8').trim();
  return /^\d+\.\d+\.\d+/.test(text) ? text : undefined;
}

function versionBelow(version: string, minimum: string): boolean {
  const parts = (text: string) => text.split(/[.-]/).slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) if (a[i]! !== b[i]!) return a[i]! < b[i]!;
  return false;
}

/** Why the SDK at `moddable` is too old (or of unknown version) for the firmware, or undefined. */
export function sdkTooOld(moddable: string): string | undefined {
  const version = sdkVersion(moddable);
  const why = `the firmware needs Moddable SDK ${MIN_SDK_VERSION} or later (Digital's activeLow/initialValue; an older SDK drives an active-low output on at boot)`;
  if (!version) return `${join(moddable, 'tools/VERSION')} states no SDK version: ${why}; update the SDK.`;
  if (versionBelow(version, MIN_SDK_VERSION)) return `the Moddable SDK at ${moddable} is ${version}: ${why}; update the SDK.`;
  return undefined;
}

/** What is missing for a simulator run, or undefined when nothing is. */
export function missingForSimulator(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.MODDABLE) return 'MODDABLE is not set.';
  if (!existsSync(env.MODDABLE)) return `MODDABLE is ${env.MODDABLE}, which does not exist.`;
  const old = sdkTooOld(env.MODDABLE);
  if (old) return old;
  const tools = moddableEnv(env);
  for (const command of ['mcconfig', 'mcsim']) {
    if (!onPath(command, tools)) return `${command} is not built: run make in $MODDABLE/build/makefiles/${process.platform === 'darwin' ? 'mac' : 'lin'} (the SDK's guide).`;
  }
  return undefined;
}

/** What is missing for an ESP32 build, or undefined when nothing is. */
export function missingForDevice(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const simulator = missingForSimulator(env);
  if (simulator && !simulator.startsWith('mcsim')) return simulator;
  if (!env.IDF_PATH) return 'IDF_PATH is not set (ESP-IDF is not installed or not exported).';
  if (!existsSync(env.IDF_PATH)) return `IDF_PATH is ${env.IDF_PATH}, which does not exist.`;
  return undefined;
}

/** Prints what is missing and how to get it, and exits non-zero. */
export function exitMissing(what: string, device: boolean): never {
  console.error(`error: ${what}`);
  console.error(device ? `${IDF_HELP}\n${SETUP_HELP}` : SETUP_HELP);
  process.exit(2);
}
