// npm run test:sim: the simulator tests (the firmware end to end, and the host's ports, transport
// and display), which need the Moddable SDK. Without it: what is missing, how to get it, exit 2.
// (`npm test` runs the same files and skips them, with a message, where MODDABLE is not set.)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { exitMissing, missingForSimulator, REPO_ROOT } from './moddable-env';

const missing = missingForSimulator();
if (missing) exitMissing(missing, false);
if (spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status !== 0 && !process.env.DISPLAY) {
  exitMissing('xvfb-run is not installed (the simulator needs a display): apt-get install xvfb xauth', false);
}
const tests = readdirSync(join(REPO_ROOT, 'tests/node')).filter((name) => /^moddable-.*\.test\.ts$/.test(name)).map((name) => join('tests/node', name));
const only = process.argv.slice(2);
// --no-config: .mocharc.json would add every other test to these.
const mocha = ['mocha', '--no-config', '--node-option', 'import=tsx', '--timeout', '20000', '--reporter', 'spec'];
const result = spawnSync('npx', [...mocha, ...(only.length > 0 ? only : tests)], { cwd: REPO_ROOT, stdio: 'inherit' });
process.exit(result.status ?? 1);
