// Building and running the firmware in the Moddable simulator, for the tests that need the SDK
// (MODDABLE set). mcconfig runs `tsc` from PATH: the project's own TypeScript comes first.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from './xs';
import { ensureSimulatorCertificates } from '../../tools/firmware/sim-harness';

export const moddableEnv = { ...process.env, PATH: `${join(projectRoot, 'node_modules/.bin')}:${process.env.PATH}` };

/** Skips the suite with a message saying why, where the SDK is not installed. */
export function skipWithoutModdable(context: Mocha.Context, what: string): void {
  if (process.env.MODDABLE) return;
  console.log(`      skipped: MODDABLE is not set (install the Moddable SDK to ${what})`);
  context.skip();
}

/** Builds the app in `appDir` for sim/moddable_two (debug) into a fresh folder; returns its mc.so. */
export async function buildForSimulator(appDir: string, settings: string[] = []): Promise<string> {
  if (spawnSync('sh', ['-c', 'command -v xvfb-run && command -v mcconfig && command -v mcsim'], { env: moddableEnv }).status !== 0) {
    throw new Error('MODDABLE is set but xvfb-run, mcconfig or mcsim is not on PATH');
  }
  const buildDir = mkdtempSync(join(tmpdir(), 'qrvend-sim-'));
  // The app's simulator manifest bundles the emulator's root: a fresh clone has none yet.
  ensureSimulatorCertificates();
  await promisify(execFile)('mcconfig', ['-d', '-m', '-p', 'sim/moddable_two', '-t', 'build', '-o', buildDir, ...settings], { cwd: appDir, env: moddableEnv, maxBuffer: 64 << 20 });
  // The simulator picks its skin by this path; the folder is named after the app's folder.
  return join(buildDir, 'bin/lin/moddable_two/debug', basename(appDir), 'mc.so');
}

/**
 * Runs an app in mcsim, headless, for `seconds` (it runs until killed); resolves with everything it
 * printed. Asynchronous, so that a server in this process (the emulator) can answer meanwhile.
 */
export function runSimulator(app: string, seconds: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('timeout', [String(seconds), 'xvfb-run', '-a', 'stdbuf', '-oL', 'mcsim', app], { env: moddableEnv });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('close', () => resolve(output));
  });
}
