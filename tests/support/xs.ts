// Runs TypeScript on the XS engine: esbuild bundles an entry with the core modules into one ES
// module (node:assert/strict mapped to the XS stand-in), and xsnap runs it. `-q` makes every
// print() line start with the engine's metering count, which the benchmark reads.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
// @ts-expect-error plain JS build script without types
import { ensureXsnap } from '../../tools/xsnap/build.mjs';

export const projectRoot = resolve(import.meta.dirname, '../..');

const bundleDir = mkdtempSync(join(tmpdir(), 'xs-bundle-'));
let bundleCount = 0;

/** Bundles `source` (TypeScript, resolved from the project root) into one .mjs file for xsnap. */
export async function bundleForXs(source: string): Promise<string> {
  const outfile = join(bundleDir, `bundle-${++bundleCount}.mjs`);
  await build({
    stdin: { contents: source, resolveDir: projectRoot, loader: 'ts', sourcefile: 'xs-entry.ts' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile,
    tsconfig: join(projectRoot, 'tsconfig.json'),
    alias: { 'node:assert/strict': resolve(projectRoot, 'tests/xs/assert.ts') },
    logLevel: 'silent',
  });
  return outfile;
}

export interface XsRun { stdout: string; lines: string[] }

/** Runs a bundled module on xsnap; `meter` prefixes each printed line with the metering count. */
export async function runXsFile(file: string, { meter = false } = {}): Promise<XsRun> {
  const xsnap = ensureXsnap({ quiet: true }) as string;
  const args = meter ? ['-q', file] : [file];
  const { stdout } = await promisify(execFile)(xsnap, args, { maxBuffer: 64 * 1024 * 1024 });
  return { stdout, lines: stdout.split('\n').filter((line) => line !== '') };
}

export async function runXs(source: string, options: { meter?: boolean } = {}): Promise<XsRun> {
  return runXsFile(await bundleForXs(source), options);
}
