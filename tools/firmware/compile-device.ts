// Proves that the ESP32 build's modules compile where ESP-IDF is not installed (CI, these
// machines): mcconfig writes the whole build (makefile, per-module tsconfig files, mc/config)
// before it stops at "$IDF_PATH not set"; this then runs every `tsc` and `xsc` step of that
// makefile, so each TypeScript module of the device build is type-checked against the SDK's
// typings with the device's module map and compiled to XS bytecode. Nothing is linked.
//   npx tsx tools/firmware/compile-device.ts [--board moddable_two|plain] [--release] [--out DIR]
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { manifestFor } from './build-esp32';
import { exitMissing, missingForSimulator, moddableEnv, REPO_ROOT } from './moddable-env';

interface Step { kind: 'tsc' | 'xsc'; command: string; target: string }

/** The makefile's variables (NAME = value lines) and the tsc/xsc recipe lines with their targets. */
export function compileSteps(makefile: string): Step[] {
  const variables = new Map<string, string>();
  for (const match of makefile.matchAll(/^([A-Z_][A-Z0-9_]*) = (.*)$/gm)) if (!variables.has(match[1]!)) variables.set(match[1]!, match[2]!.trim());
  const expand = (text: string): string => text.replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (_, name: string) => expand(variables.get(name) ?? ''));
  const steps: Step[] = [];
  let target = '';
  for (const line of makefile.split('\n')) {
    const rule = /^(\S[^:=]*?)\s*:(?!=)/.exec(line);
    if (rule && !line.startsWith('\t')) target = expand(rule[1]!);
    const recipe = /^\t(tsc|xsc) (.*)$/.exec(line);
    if (!recipe || !target) continue;
    const command = expand(`${recipe[1]} ${recipe[2]}`).replace(/\$\(@D\)/g, dirname(target)).replace(/\$\$/g, '$');
    steps.push({ kind: recipe[1] as 'tsc' | 'xsc', command, target });
  }
  return steps;
}

export function compileDeviceModules(options: { board?: 'moddable_two' | 'plain'; release?: boolean; out?: string } = {}): { tsc: number; xsc: number; failures: string[] } {
  const out = options.out ?? mkdtempSync(join(tmpdir(), 'qrvend-esp32-'));
  mkdirSync(out, { recursive: true });
  const env = moddableEnv({ ...process.env, IDF_PATH: '' });
  const { manifest, platform } = manifestFor(options.board ?? 'moddable_two');
  const args = [...(options.release ? [] : ['-d']), '-m', '-p', platform, '-t', 'build', '-o', out, manifest];
  const run = spawnSync('mcconfig', args, { cwd: REPO_ROOT, env, encoding: 'utf8' });
  const stopped = `${run.stdout}${run.stderr}`;
  const found = existsSync(join(out, 'tmp')) ? execSync(`find ${out}/tmp -name makefile | head -1`, { encoding: 'utf8' }).trim() : '';
  if (!found) throw new Error(`mcconfig wrote no makefile:\n${stopped}`);
  const steps = compileSteps(readFileSync(found, 'utf8'));
  const failures: string[] = [];
  // The flash layout the image would be flashed with: the project's, not the SDK's 24 KB NVS.
  const layout = join(dirname(found), 'xsProj-esp32', 'partitions.csv');
  const ours = readFileSync(join(REPO_ROOT, 'hosts/moddable/esp32/partitions.csv'), 'utf8');
  if (!existsSync(layout) || readFileSync(layout, 'utf8') !== ours) failures.push(`${layout}: not hosts/moddable/esp32/partitions.csv (PARTITIONS_FILE not applied)`);
  let tsc = 0;
  let xsc = 0;
  // Every tsc first (each writes the JavaScript an xsc step reads), then every xsc.
  for (const kind of ['tsc', 'xsc'] as const) {
    for (const step of steps.filter((candidate) => candidate.kind === kind)) {
      mkdirSync(dirname(step.target), { recursive: true });
      const result = spawnSync('sh', ['-c', step.command], { cwd: dirname(found), env, encoding: 'utf8' });
      const text = `${result.stdout}${result.stderr}`;
      if (result.status !== 0 || /typescript compile failure|error TS\d+/.test(text)) failures.push(`${step.command}\n${text}`);
      if (kind === 'tsc') tsc++;
      else xsc++;
    }
  }
  return { tsc, xsc, failures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const missing = missingForSimulator();
  if (missing && !missing.startsWith('mcsim')) exitMissing(missing, false);
  const argv = process.argv.slice(2);
  const board = argv.includes('plain') ? 'plain' : 'moddable_two';
  const outAt = argv.indexOf('--out');
  const result = compileDeviceModules({ board, release: argv.includes('--release'), ...(outAt >= 0 ? { out: argv[outAt + 1]! } : {}) });
  for (const failure of result.failures) console.error(failure);
  console.log(`esp32 (${board}${argv.includes('--release') ? ', release' : ''}): ${result.tsc} tsc and ${result.xsc} xsc steps, ${result.failures.length} failed`);
  process.exit(result.failures.length === 0 ? 0 : 1);
}
