#!/usr/bin/env node
// Builds the command-line XS engine (`xsnap`) from the C sources that the npm package
// @agoric/xsnap ships, into node_modules/.cache/xsnap. npm may skip that package's own install
// script, so the project builds it itself. Prints the binary's path; exits non-zero with a clear
// message when a tool is missing.
//
// The project's build adds memory counters (tools/xsnap/xs-memory.c, exposed to TypeScript by
// tests/support/xs-memory.ts): patched copies of two XS sources go into the build directory and
// make finds them ahead of the originals, so the package in node_modules stays untouched. The
// cache directory is named after a hash of this script, the C addition and the package version,
// so changing any of them builds a new engine instead of reusing a stale one.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const cacheDir = join(root, 'node_modules/.cache/xsnap');
const memoryCounters = join(here, 'xs-memory.c');

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

// Each edit is [text to find, replacement, how many times the text must occur]: a new XS version
// that moves these lines fails the build loudly instead of building an engine without counters.
const patches = {
  'moddable/xs/sources/xsMemory.c': [
    ['#include "xsAll.h"\n', '#include "xsAll.h"\n#include "xs-memory.c"\n', 1],
    ['\t\tthe->currentHeapCount++;\n', '\t\tthe->currentHeapCount++;\n\t\tgxSlotsAllocated++;\n', 1],
    ['\t\tthe->currentChunksSize += capacity;\n', '\t\tthe->currentChunksSize += capacity;\n\t\tgxChunkBytesAllocated += capacity;\n', 1],
    ['the->currentChunksSize += size - aChunk->size;', 'if (size > aChunk->size) gxChunkBytesAllocated += size - aChunk->size; the->currentChunksSize += size - aChunk->size;', 2],
  ],
  'xsnap-native/xsnap/sources/xsnap.c': [
    ['static void xs_gc(xsMachine* the);\n', 'static void xs_gc(xsMachine* the);\nextern void xs_memory(xsMachine* the);\nextern void xs_resetPeak(xsMachine* the);\n', 1],
    ['#define mxSnapshotCallbackCount 18\n', '#define mxSnapshotCallbackCount 20\n', 1],
    ['\tfx_harden, // 17\n', '\tfx_harden, // 17\n\txs_memory, // 18\n\txs_resetPeak, // 19\n', 1],
    [
      '\txsDefine(xsGlobal, xsID("gc"), xsResult, xsDontEnum);\n',
      '\txsDefine(xsGlobal, xsID("gc"), xsResult, xsDontEnum);\n'
        + '\txsResult = xsNewHostFunction(xs_gc, 0);\n\txsDefine(xsGlobal, xsID("xsGc"), xsResult, xsDontEnum);\n'
        + '\txsResult = xsNewHostFunction(xs_memory, 0);\n\txsDefine(xsGlobal, xsID("xsMemory"), xsResult, xsDontEnum);\n'
        + '\txsResult = xsNewHostFunction(xs_resetPeak, 0);\n\txsDefine(xsGlobal, xsID("xsResetPeak"), xsResult, xsDontEnum);\n',
      1,
    ],
  ],
};

function patched(file, edits) {
  let text = readFileSync(file, 'utf8');
  for (const [find, replacement, times] of edits) {
    const found = text.split(find).length - 1;
    if (found !== times) throw new Error(`patching ${file}: expected ${times} of ${JSON.stringify(find)}, found ${found}`);
    text = text.split(find).join(replacement);
  }
  return text;
}

function buildKey(pkg) {
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  const hash = createHash('sha256')
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(readFileSync(memoryCounters))
    .digest('hex')
    .slice(0, 12);
  return `xsnap-${version}-${hash}`;
}

const binaryIn = (buildDir) => join(buildDir, 'bin/lin/release/xsnap');

/** Engines built from an earlier script or C addition, and the layout before builds were keyed. */
function removeOlderBuilds(current) {
  for (const entry of readdirSync(cacheDir)) {
    const path = join(cacheDir, entry);
    const older = entry === 'bin' || entry === 'tmp' || (entry.startsWith('xsnap-') && !entry.includes('.building-'));
    if (older && path !== current) rmSync(path, { recursive: true, force: true });
  }
}

export function ensureXsnap({ quiet = false } = {}) {
  const pkg = packageDir();
  if (!existsSync(join(pkg, 'moddable/xs/sources/xsAll.c'))) throw new Error(`XS sources missing from ${pkg}`);
  const buildDir = join(cacheDir, buildKey(pkg));
  if (existsSync(binaryIn(buildDir))) return binaryIn(buildDir);
  if (process.platform !== 'linux') throw new Error(`the XS engine build is set up for Linux, not ${process.platform}`);
  requireTool('cc');
  requireTool('make');
  if (!quiet) process.stderr.write('building the XS engine (xsnap) from @agoric/xsnap sources, about 30 s...\n');

  // Built aside and renamed into place, so a test run started meanwhile never sees half a build.
  const workDir = `${buildDir}.building-${process.pid}`;
  rmSync(workDir, { recursive: true, force: true });
  const patchedSources = join(workDir, 'patched-sources');
  mkdirSync(patchedSources, { recursive: true });
  for (const [file, edits] of Object.entries(patches)) {
    const source = join(pkg, file);
    writeFileSync(join(patchedSources, file.split('/').pop()), patched(source, edits));
  }
  writeFileSync(join(patchedSources, 'xs-memory.c'), readFileSync(memoryCounters));

  const moddable = join(pkg, 'moddable');
  const makefileDir = join(pkg, 'xsnap-native/xsnap/makefiles/lin');
  try {
    execFileSync('make', [
      '-j2', '-f', 'xsnap.mk',
      `MODDABLE=${moddable}`,
      'GOAL=release',
      `BUILD_DIR=${workDir}`,
      // The makefile's own search path with the patched copies first (a command-line VPATH
      // replaces the makefile's `VPATH +=` lines).
      `VPATH=${[
        patchedSources,
        join(moddable, 'xs/sources'),
        join(pkg, 'xsnap-native/xsnap/sources'),
        join(moddable, 'modules/data/text/decoder'),
        join(moddable, 'modules/data/text/encoder'),
        join(moddable, 'modules/data/base64'),
      ].join(' ')}`,
      // xsnap's own build passes this: XS probes __has_builtin, which older compilers lack.
      'CC=cc "-D__has_builtin(x)=1"',
    ], { cwd: makefileDir, stdio: ['ignore', 'ignore', quiet ? 'ignore' : 'inherit'] });
    if (!existsSync(binaryIn(workDir))) throw new Error('the XS engine build finished without producing xsnap');
    try {
      renameSync(workDir, buildDir);
    } catch (error) {
      // Another build finished first: use its engine.
      if (!existsSync(binaryIn(buildDir))) throw error;
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  removeOlderBuilds(buildDir);
  return binaryIn(buildDir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureXsnap());
  } catch (error) {
    console.error(`xsnap: ${error.message}`);
    process.exit(1);
  }
}
