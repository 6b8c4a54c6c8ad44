// `npm start` as a user runs it (tools/start.ts in a process of its own): what it prints, its
// options, and a stop in the middle of a sale followed by a start that recovers the way the device
// does, from the journal in the state folder (the emulator keeps its payments in a state file there).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DesktopClient } from '../../hosts/node/desktop/api-client';
import { startDesktopProcess } from '../../tools/soak/desktop-process';
import { EmulatorAdmin } from '../../tools/soak/emulator-admin';

const TSX = 'node_modules/.bin/tsx';

describe('npm start (tools/start.ts)', function () {
  this.timeout(120_000);
  let stateDir: string;

  before(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'desktop-start-'));
  });
  after(() => rmSync(stateDir, { recursive: true, force: true }));

  it('--help prints the options and the environment; a bad port is a usage error (2)', () => {
    const help = spawnSync(TSX, ['tools/start.ts', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--port N/);
    assert.match(help.stdout, /--host ADDRESS/);
    assert.match(help.stdout, /EPAYMENT_BASE_URL/);
    assert.match(help.stdout, /DESKTOP_SERVICE_PIN/);
    const bad = spawnSync(TSX, ['tools/start.ts', '--port', 'eighty'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--port must be a port number/);
  });

  it('prints the page URL, then the emulator URL; stopped mid-sale, the next start finishes the sale from the journal', async () => {
    const first = await startDesktopProcess(['--fast', '--quiet', '--state-dir', stateDir]);
    let reference: string;
    assert.ok(first.printed.indexOf('page:') < first.printed.indexOf('emulator:'), first.printed);
    assert.match(first.printed, /^page: +http:\/\/127\.0\.0\.1:\d+\/$/m);
    try {
      const page = await fetch(first.pageUrl);
      assert.match(await page.text(), /<title>Vending machine/);
      const client = new DesktopClient(first.pageUrl);
      await client.waitFor((s) => s.state === 'idle' && s.inService, 30_000, 'idle');
      await client.tap((a) => a.type === 'select' && a.product === 'chocolate', 'chocolate');
      reference = (await client.waitFor((s) => s.state === 'payment', 10_000, 'the QR')).payment!.reference;
      client.close();
    } finally {
      await first.stop();
    }
    const second = await startDesktopProcess(['--fast', '--quiet', '--state-dir', stateDir]);
    try {
      const client = new DesktopClient(second.pageUrl);
      const booted = await client.waitFor((s) => s.power === 'on' && !s.journal?.openSale && !(s.pending ?? []).some((p) => p.reference === reference), 30_000, 'the recovery');
      assert.ok(booted.log.some((line) => line.message.includes(`recovery: sale ${reference} was open in phase create`)));
      const record = (await new EmulatorAdmin(second.emulatorUrl).payments()).find((p) => p.reference === reference);
      assert.equal(record?.state, 'TERMINATED', 'the payment nobody could finish is cancelled');
      assert.equal((await client.sales()).find((sale) => sale.reference === reference)?.outcome, 'cancelled');
      client.close();
    } finally {
      await second.stop();
    }
  });
});
