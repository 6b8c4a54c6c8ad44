// Runs every shared test file in tests/core on the XS engine, the engine the device runs.
// Prints one line per test and a closing `xs: N passed, M failed`; exits non-zero on failure.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot, runXs } from '../support/xs';

const coreDir = join(projectRoot, 'tests/core');
const files = readdirSync(coreDir).filter((name) => name.endsWith('.test.ts')).sort();
let passed = 0;
let failed = 0;

for (const name of files) {
  const source = `import { run } from './tests/xs/harness';\nimport './tests/core/${name}';\nawait run();\n`;
  const { lines } = await runXs(source);
  const summary = lines.at(-1)?.match(/^xs: (\d+) passed, (\d+) failed$/);
  for (const line of lines.slice(0, -1)) console.log(`  [xs ${name}] ${line}`);
  if (!summary) {
    // xsnap exits 0 even when a module throws at top level; a missing summary is the sign.
    failed++;
    console.log(`  [xs ${name}] not ok - did not finish: ${lines.at(-1) ?? '(no output)'}`);
    continue;
  }
  passed += Number(summary[1]);
  failed += Number(summary[2]);
}

console.log(`xs: ${passed} passed, ${failed} failed`);
if (failed > 0 || passed === 0) process.exitCode = 1;
