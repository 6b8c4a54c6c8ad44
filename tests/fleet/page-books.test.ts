// The Books page in headless Chromium, the emulator as the service: the operator reads the report,
// sees the day's totals per machine and a mismatch, and downloads the CSV.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { captureFee } from '../../tools/emulator/report/fee-model';
import type { Emulator } from '../../tools/emulator/index';
import { pay, recordSale, startBooksEmulator, today, vippsKeysOf } from './books-world';
import { logIn, reloadUntil, requireChromium, startPageWorld, type PageWorld } from './page-helpers';

describe('fleet page: books (PGlite + emulator + Chromium)', function () {
  this.timeout(90_000);
  let emulator: Emulator;
  let world: PageWorld;
  let page: Page;

  before(async function () {
    requireChromium(this);
    emulator = await startBooksEmulator();
    world = await startPageWorld({ vipps: vippsKeysOf(emulator), booksEveryMs: 3_600_000 });
    await world.fleet.addMachine('kiosk-a');
    const vipps = world.fleet.server.vipps!;
    await pay(vipps, emulator, 'kiosk-a-0001', 2500);
    await pay(vipps, emulator, 'kiosk-a-0002', 2000); // the machine says 30.00
    await recordSale(world.fleet.db, 'kiosk-a', 'kiosk-a-0001', 2500, 'captured');
    await recordSale(world.fleet.db, 'kiosk-a', 'kiosk-a-0002', 3000, 'captured');
    ({ page } = await world.newPage());
    await logIn(page, world.url);
  });
  after(async () => {
    await world?.close();
    await emulator?.close();
  });

  it('reads the report on demand and shows the day per machine beside the report, with the fees', async () => {
    await page.goto(`${world.url}books`);
    assert.equal(await page.locator('nav a[aria-current="page"]').innerText(), 'Books');
    // Before the report is read: the machines' side only.
    const row = page.locator(`tr[data-day="${today()}"][data-machine="kiosk-a"][data-currency="NOK"]`);
    assert.equal(await row.locator('.machine-captured').innerText(), '55.00 NOK');
    assert.equal(await row.locator('.report-captured').innerText(), '0.00 NOK');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/books/sync"] button')]);
    assert.match(await page.locator('.notice.ok').innerText(), /Report read: 4 new entries/);
    assert.equal(await row.locator('.report-captured').innerText(), '45.00 NOK');
    const fees = captureFee(2500, 'NOK') + captureFee(2000, 'NOK');
    assert.equal(await row.locator('.fees').innerText(), `${(fees / 100).toFixed(2)} NOK`);
    const total = page.locator(`tr.day-total[data-day="${today()}"][data-currency="NOK"]`);
    assert.equal(await total.locator('.payout').innerText(), '0.00 NOK', 'the date is not closed yet');
  });

  it('lists the mismatch: the machine says 30.00, the report 20.00', async () => {
    const mismatch = page.locator('#mismatches tr[data-reference="kiosk-a-0002"]');
    assert.equal(await mismatch.locator('.kind').innerText(), 'amount-differs');
    assert.match(await mismatch.innerText(), /30\.00 NOK \/ 20\.00 NOK/);
    assert.equal(await page.locator('#mismatches tr[data-reference="kiosk-a-0001"]').count(), 0);
  });

  it('downloads the books as CSV, a row per machine and day and the day\'s total', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
    assert.equal(download.suggestedFilename(), 'books.csv');
    const lines = readFileSync((await download.path())!, 'utf8').split('\r\n');
    assert.equal(lines[0], 'day_utc,currency,machine,machine_captured_minor,machine_refunded_minor,report_captured_minor,report_refunded_minor,fees_minor,payout_minor');
    const fees = captureFee(2500, 'NOK') + captureFee(2000, 'NOK');
    assert.ok(lines.includes(`${today()},NOK,kiosk-a,5500,0,4500,0,${fees},`), lines.join('\n'));
    assert.ok(lines.includes(`${today()},NOK,all,5500,0,4500,0,${fees},0`), lines.join('\n'));
    const [mismatches] = await Promise.all([page.waitForEvent('download'), page.click('#mismatches-csv')]);
    assert.match(readFileSync((await mismatches.path())!, 'utf8'), /\r\namount-differs,kiosk-a,kiosk-a-0002,NOK,3000,2000,0,0,/);
  });

  it('saves the settings, and refuses a page or CSV without a login', async () => {
    await page.fill('input[name=alertAfterHours]', '2');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/books/settings"] button')]);
    assert.equal(await page.inputValue('input[name=alertAfterHours]'), '2');
    const settings = await world.fleet.db.query<{ alert_after_s: number }>('SELECT alert_after_s FROM books_settings');
    assert.equal(settings[0]!.alert_after_s, 7200);
    // Two hours have not passed: no alert yet. With 0 hours the mismatch is an alert at once.
    assert.equal(await world.fleet.db.query(`SELECT 1 FROM alerts WHERE kind = 'books-mismatch'`).then((rows) => rows.length), 0);
    await page.fill('input[name=alertAfterHours]', '0');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/books/settings"] button')]);
    await page.goto(`${world.url}alerts`);
    await reloadUntil(page, '#open tr[data-machine="kiosk-a"][data-kind="books-mismatch"]');
    assert.match(await page.locator('#open tr[data-kind="books-mismatch"]').innerText(), /amount-differs kiosk-a-0002/);
    assert.equal((await fetch(`${world.url}books.csv`, { redirect: 'manual' })).status, 303);
    assert.equal((await fetch(`${world.url}books`, { redirect: 'manual' })).status, 303);
  });
});
