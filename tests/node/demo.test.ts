// The quick start's desktop run, hands-free: emulator up, one sale through the pay command, captured.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { projectRoot } from '../support/xs';

describe('npm run demo -- --auto', function () {
  this.timeout(60_000);

  it('sells one product against the emulator: QR on screen, approved, captured, exit 0', async () => {
    const png = join(mkdtempSync(join(tmpdir(), 'demo-')), 'screen.png');
    const { stdout } = await promisify(execFile)(join(projectRoot, 'node_modules/.bin/tsx'), ['tools/demo.ts', '--auto', '--png', png], { cwd: projectRoot });
    assert.match(stdout, /ePayment emulator at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(stdout, /the customer approves \S+ in the app/);
    assert.match(stdout, /captured 35\.00 NOK/);
    const image = PNG.sync.read(readFileSync(png));
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    assert.match(decoded?.data ?? '', /^http:\/\/127\.0\.0\.1:\d+\/emulator\/pay\/\S+$/);
    assert.ok(stdout.includes(decoded!.data), 'the QR on screen is the payment link the sale printed');
  });
});
