#!/usr/bin/env node
// Builds the command-line XS engine (`xsnap`) from the C sources that the npm package
// @agoric/xsnap ships, into node_modules/.cache/xsnap. npm may skip that package's own install
// script, so the project builds it itself. Prints the binary's path; exits non-zero with a clear
// message when a tool is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cacheDir = join(root, 'node_modules/.cache/xsnap');
export const xsnapPath = join(cacheDir, 'bin/lin/release/xsnap');

function packageDir() {
  const require = createRequire(join(root, 'package.json'));
  try {
    return dirname(require.resolve('@agoric/xsnap/package.json'));
  } catch {
    throw new Error('@agoric/xsnap is not installed: run `npm ci` first');
  }
}

function requireTool(name) {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error(`building the XS engine needs \`${name}\`, which is not on PATH (Debian: apt-get install build-essential)`);
  }
}

export function ensureXsnap({ quiet = false } = {}) {
  const pkg = packageDir();
  const makefileDir = join(pkg, 'xsnap-native/xsnap/makefiles/lin');
  const marker = join(pkg, 'moddable/xs/sources/xsAll.c');
  if (!existsSync(marker)) throw new Error(`XS sources missing from ${pkg}`);
  if (existsSync(xsnapPath) && statSync(xsnapPath).mtimeMs > statSync(marker).mtimeMs) return xsnapPath;
  if (process.platform !== 'linux') throw new Error(`the XS engine build is set up for Linux, not ${process.platform}`);
  requireTool('cc');
  requireTool('make');
  mkdirSync(cacheDir, { recursive: true });
  if (!quiet) process.stderr.write('building the XS engine (xsnap) from @agoric/xsnap sources, about 30 s...\n');
  execFileSync('make', [
    '-j2', '-f', 'xsnap.mk',
    `MODDABLE=${join(pkg, 'moddable')}`,
    'GOAL=release',
    `BUILD_DIR=${cacheDir}`,
    // xsnap's own build passes this: XS probes __has_builtin, which older compilers lack.
    'CC=cc "-D__has_builtin(x)=1"',
  ], { cwd: makefileDir, stdio: ['ignore', 'ignore', quiet ? 'ignore' : 'inherit'] });
  if (!existsSync(xsnapPath)) throw new Error('the XS engine build finished without producing xsnap');
  return xsnapPath;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureXsnap());
  } catch (error) {
    console.error(`xsnap: ${error.message}`);
    process.exit(1);
  }
}
