// The Moddable SDK's TLS stack (TLS 1.2, in the simulator) trusts the emulator's root certificate
// as exported in DER, checks the leaf for "localhost" through the intermediate the server sends,
// and gets an access token. Runs where the SDK is installed (MODDABLE set).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../tools/emulator/index';
import { buildForSimulator, runSimulator, skipWithoutModdable } from '../support/moddable';
import { projectRoot } from '../support/xs';

describe('Moddable TLS against the emulator (simulator)', function () {
  this.timeout(180_000);
  let emulator: Emulator | undefined;

  after(async () => {
    await emulator?.close();
  });

  it('fetches an access token over HTTPS trusting only the exported root (DER)', async function () {
    skipWithoutModdable(this, 'check its TLS stack against the emulator');
    emulator = await startEmulator({ httpsPort: 0 });
    const port = new URL(emulator.httpsBaseUrl!).port;
    const app = join(mkdtempSync(join(tmpdir(), 'qrvend-tls-')), 'qrvend-emulator-tls');
    cpSync(join(projectRoot, 'tests/moddable/emulator-tls'), app, { recursive: true });
    cpSync(emulator.rootCertificateDerPath, join(app, 'emulator-root.der'));
    const { clientId, clientSecret, subscriptionKey, merchantSerialNumber } = emulator.credentials;
    const mcSo = await buildForSimulator(app, [`port=${port}`, `clientId=${clientId}`, `clientSecret=${clientSecret}`, `subscriptionKey=${subscriptionKey}`, `msn=${merchantSerialNumber}`]);
    const output = await runSimulator(mcSo, 10);
    assert.match(output, /tls-check status 200/, output.slice(0, 2000));
    const body = output.match(/tls-check body (\d+) (\w+)/);
    assert.ok(body, 'no token body');
    assert.ok(Number(body[1]) > 1000, `token answer of ${body[1]} characters`);
    assert.equal(body[2], 'Bearer');
    assert.equal(emulator.counters().tlsHandshakes, 1);
  });
});
