// The operator changes a price on the fleet's page and the machine's screen shows it, both in a real
// browser: Chromium logs in to the fleet's page, edits the catalog, and the desktop machine's page
// (another tab) then shows an idle screen equal, pixel for pixel, to the idle screen drawn for the new
// catalog, and no longer equal to the old one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { MachineConfig } from 'app/config/machine-config';
import { screen } from 'app/screens/screen';
import { sampleScreens } from 'app/screens/samples';
import { SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { DesktopClient } from '../../hosts/node/desktop/api-client';
import { startDesktop, type Desktop } from '../../hosts/node/desktop/desktop';
import { Display, loadScreenFonts } from '../../hosts/node/display';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { encodePng } from '../../hosts/node/png';
import { startFleetServer, type FleetServer } from '../../fleet/server';
import { addOperator } from '../../fleet/operators';
import { CHROMIUM, requireChromium } from '../fleet/page-helpers';

const POS = 'oslo-s-vend-07';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The idle screen's pixels (RGBA) as the machine draws them for this configuration. */
function idlePixels(config: MachineConfig): Buffer {
  const fonts = loadScreenFonts();
  const now = Date.now();
  // The desktop runs against the emulator, so the machine is in test mode (its badge in the header).
  const idle = sampleScreens(config, config.languages[0]!, now, true).find((sample) => sample.name === 'idle')!;
  const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
  new Display(framebuffer, fonts).draw(screen(idle.view, now, { config, fonts: fonts.book }));
  return PNG.sync.read(encodePng(framebuffer)).data;
}

/** The pixels (RGBA) of the image the desktop's page shows as the machine's screen, read in the page. */
async function shownPixels(page: Page): Promise<Buffer> {
  // A string: it runs in the page, where the DOM is (this project's types have none).
  const rgba = await page.evaluate<number[]>(`(async () => {
    const image = document.getElementById('screen-actual');
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    return Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data);
  })()`);
  return Buffer.from(rgba);
}

describe('a price changed on the fleet\'s page, seen on the machine\'s screen (Chromium)', function () {
  this.timeout(120_000);
  let dir: string;
  let fleet: FleetServer;
  let desktop: Desktop;
  let client: DesktopClient;
  let browser: Browser;

  before(async function () {
    requireChromium(this);
    dir = mkdtempSync(join(tmpdir(), 'desktop-fleet-browser-'));
    fleet = await startFleetServer({ dataDir: join(dir, 'fleet-db'), mqttPort: 0, mqttHost: '127.0.0.1', fleetPassword: 'fleet-test-password', httpPort: 0 });
    await addOperator(fleet.db, 'alice', 'correct horse battery staple');
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify(await fleet.addMachine(POS)), { mode: 0o600 });
    const config = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync('config/sample-machine.json', 'utf8'))) as { posId: string };
    writeFileSync(join(dir, 'machine.json'), JSON.stringify({ ...config, posId: POS }));
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.EPAYMENT_BASE_URL;
    desktop = await startDesktop({ port: 0, stateDir: join(dir, 'desktop'), configPath: join(dir, 'machine.json'), fast: true, env, fleetCredentials: join(dir, 'fleet.json') });
    client = new DesktopClient(desktop.pageUrl);
    await client.waitFor((s) => s.state === 'idle' && s.inService, 20_000, 'idle');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });

  after(async () => {
    await browser?.close();
    client?.close();
    await desktop?.close();
    await fleet?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the machine shows the new price once it has applied it', async () => {
    const before = desktop.config!;
    const after: MachineConfig = { ...before, catalog: before.catalog.map((p) => (p.id === 'chocolate' ? { ...p, price: 3500 } : p)) };
    const oldIdle = idlePixels(before);
    const newIdle = idlePixels(after);
    assert.notDeepEqual(oldIdle, newIdle, 'the two prices draw differently');

    const machinePage = await browser.newPage();
    await machinePage.goto(desktop.pageUrl);
    await machinePage.waitForFunction('Number(document.body.dataset.frame) > 0');
    assert.ok((await shownPixels(machinePage)).equals(oldIdle), 'the machine shows the old price first');

    const fleetPage = await browser.newPage();
    await fleetPage.goto(`${fleet.operator!.http.url}login`);
    await fleetPage.fill('input[name=name]', 'alice');
    await fleetPage.fill('input[name=password]', 'correct horse battery staple');
    await Promise.all([fleetPage.waitForNavigation(), fleetPage.click('form.login button')]);
    // The machine's catalog reaches the fleet after its hello; the editor appears with it.
    const deadline = Date.now() + 20_000;
    for (;;) {
      await fleetPage.goto(`${fleet.operator!.http.url}machines/${POS}/catalog`);
      if ((await fleetPage.locator('input[name="price.chocolate"]').count()) > 0) break;
      assert.ok(Date.now() < deadline, 'the catalog editor within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(await fleetPage.inputValue('input[name="price.chocolate"]'), '29.00');
    await fleetPage.fill('input[name="price.chocolate"]', '35.00');
    await Promise.all([fleetPage.waitForNavigation(), fleetPage.evaluate(`document.querySelector('input[name="price.chocolate"]').form.requestSubmit()`)]);
    assert.match(await fleetPage.textContent('body') ?? '', /sent; the machine applies it/);

    const shownBy = Date.now() + 20_000;
    let shown = await shownPixels(machinePage);
    while (!shown.equals(newIdle)) {
      assert.ok(Date.now() < shownBy, 'the machine\'s screen shows the new price within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
      shown = await shownPixels(machinePage);
    }
    assert.ok(!shown.equals(oldIdle));
    // And the page reports the version applied.
    await fleetPage.reload();
    assert.equal(await fleetPage.locator('td.state').first().textContent(), 'applied');
  });
});
