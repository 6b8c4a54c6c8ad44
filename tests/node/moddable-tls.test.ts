// The Moddable SDK's TLS stack (TLS 1.2, in the simulator) trusts the emulator's root certificate
// as exported in DER, checks the leaf for "localhost" through the intermediate the server sends,
// and gets an access token. Runs where the SDK is installed (MODDABLE set).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator, type Emulator } from '../../tools/emulator/index';
import { projectRoot } from '../support/xs';

const moddable = process.env.MODDABLE;
const env = { ...process.env, PATH: `${join(projectRoot, 'node_modules/.bin')}:${process.env.PATH}` };

/** Runs an app in mcsim, headless, for `seconds`; resolves with everything it printed. */
function runSimulator(app: string, seconds: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('timeout', [String(seconds), 'xvfb-run', '-a', 'stdbuf', '-oL', 'mcsim', app], { env });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('close', () => resolve(output));
  });
}

describe('Moddable TLS against the emulator (simulator)', function () {
  this.timeout(180_000);
  let emulator: Emulator | undefined;

  after(async () => {
    await emulator?.close();
  });

  it('fetches an access token over HTTPS trusting only the exported root (DER)', async function () {
    if (!moddable) {
      console.log('      skipped: MODDABLE is not set (install the Moddable SDK to check its TLS stack against the emulator)');
      this.skip();
    }
    emulator = await startEmulator({ httpsPort: 0 });
    const port = new URL(emulator.httpsBaseUrl!).port;
    const work = mkdtempSync(join(tmpdir(), 'qrvend-tls-'));
    const app = join(work, 'qrvend-emulator-tls');
    cpSync(join(projectRoot, 'tests/moddable/emulator-tls'), app, { recursive: true });
    cpSync(emulator.rootCertificateDerPath, join(app, 'emulator-root.der'));
    const { clientId, clientSecret, subscriptionKey, merchantSerialNumber } = emulator.credentials;
    const build = join(work, 'build');
    mkdirSync(build);
    await promisify(execFile)('mcconfig', ['-d', '-m', '-p', 'sim/moddable_two', '-t', 'build', '-o', build,
      `port=${port}`, `clientId=${clientId}`, `clientSecret=${clientSecret}`, `subscriptionKey=${subscriptionKey}`, `msn=${merchantSerialNumber}`,
    ], { cwd: app, env, maxBuffer: 64 << 20 });
    // Asynchronously: the emulator answers from this very process while the simulator runs.
    const output = await runSimulator(join(build, 'bin/lin/moddable_two/debug/qrvend-emulator-tls/mc.so'), 10);
    assert.match(output, /tls-check status 200/, output.slice(0, 2000));
    const body = output.match(/tls-check body (\d+) (\w+)/);
    assert.ok(body, 'no token body');
    assert.ok(Number(body[1]) > 1000, `token answer of ${body[1]} characters`);
    assert.equal(body[2], 'Bearer');
    assert.equal(emulator.counters().tlsHandshakes, 1);
  });
});
