#!/usr/bin/env node
// `npm test`: every check the project has, in order, with one closing line of counts.
//   1. type checks: Node + core, core alone (no Node/DOM types), core + Moddable host (Moddable typings)
//   2. Node tests (mocha): core modules, hosts, tools, QR read-back, emulator, XS parity
//   3. the shared core tests again on the XS engine
import { spawn } from 'node:child_process';
import { ensureXsnap } from '../tools/xsnap/build.mjs';

const steps = [
  { name: 'types: core + Node', command: ['npx', 'tsc', '-p', 'tsconfig.json'] },
  { name: 'types: core alone', command: ['npx', 'tsc', '-p', 'tsconfig.core.json'] },
  { name: 'types: core + Moddable host', command: ['npx', 'tsc', '-p', 'tsconfig.moddable.json'] },
  { name: 'Node tests', command: ['npx', 'mocha'], passed: /(\d+) passing/, failed: /(\d+) failing/, skipped: /(\d+) pending/ },
  { name: 'XS tests', command: ['npx', 'tsx', 'tests/xs/run.ts'], passed: /xs: (\d+) passed, \d+ failed\s*$/, failed: /xs: \d+ passed, (\d+) failed\s*$/ },
];

function run(command) {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { process.stdout.write(chunk); output += chunk; });
    child.stderr.on('data', (chunk) => { process.stderr.write(chunk); output += chunk; });
    child.on('close', (code) => resolve({ code, output }));
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const started = Date.now();

try {
  ensureXsnap();
} catch (error) {
  console.error(`cannot run the XS tests: ${error.message}`);
  process.exit(1);
}

for (const step of steps) {
  console.log(`\n== ${step.name}`);
  const { code, output } = await run(step.command);
  if (!step.passed) {
    if (code === 0) passed++;
    else failed++;
    console.log(code === 0 ? 'ok' : `FAILED (exit ${code})`);
    continue;
  }
  const count = (pattern) => Number(pattern && output.match(pattern)?.[1] || 0);
  const stepPassed = count(step.passed);
  const stepFailed = count(step.failed);
  passed += stepPassed;
  skipped += count(step.skipped);
  // A crash before the summary, or a non-zero exit, counts as a failure even without counts.
  failed += stepFailed > 0 ? stepFailed : code === 0 && stepPassed > 0 ? 0 : 1;
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\nall checks (${seconds} s):`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
