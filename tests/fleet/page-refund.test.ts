// A refund from the page in a real browser, against the emulator: from the sales list, through the
// form and the confirmation, to the service's aggregate; a double submit of the confirmation
// refunds once; more than is left is refused on the page; without keys the page offers nothing.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../../tools/emulator/index';
import { capturedPayment, keysOf } from './emulator-helpers';
import { logIn, requireChromium, startPageWorld, type PageWorld } from './page-helpers';

async function insertSale(world: PageWorld, reference: string, amount: number): Promise<void> {
  await world.fleet.db.query(
    `INSERT INTO sales (pos_id, reference, seq, sale_time, product, amount, currency, outcome) VALUES ('kiosk-p', $1, 1, 1765000000, 'cola', $2, 'NOK', 'captured')`,
    [reference, amount],
  );
}

describe('fleet page: refunds (PGlite + aedes + emulator + Chromium)', function () {
  this.timeout(90_000);
  let emulator: Emulator;
  let world: PageWorld;
  let page: Page;

  before(async function () {
    requireChromium(this);
    emulator = await startEmulator({ httpsPort: 0, seed: 18 });
    world = await startPageWorld({ vipps: keysOf(emulator) });
    await world.fleet.addMachine('kiosk-p');
    ({ page } = await world.newPage());
    await logIn(page, world.url);
  });
  after(async () => {
    await world?.close();
    await emulator?.close();
  });

  const refundedAtService = (reference: string) => emulator.payment(reference)!.aggregate.refundedAmount.value;

  it('refunds part of a sale from the sales list through the two steps', async () => {
    await capturedPayment(world.fleet.server.vipps!, emulator, 'kiosk-p-0001', 2500);
    await insertSale(world, 'kiosk-p-0001', 2500);
    await page.goto(`${world.url}sales`);
    await Promise.all([page.waitForNavigation(), page.click('tr[data-reference="kiosk-p-0001"] a.refund')]);
    assert.match(await page.locator('#amounts').innerText(), /at most 25\.00 NOK can be refunded/);
    assert.equal(await page.inputValue('input[name=amount]'), '25.00');
    await page.fill('input[name=amount]', '10.50');
    await page.fill('input[name=reason]', 'The can got stuck');
    await Promise.all([page.waitForNavigation(), page.click('#refund-form button')]);
    assert.match(await page.locator('#review').innerText(), /Refund 10\.50 NOK of kiosk-p-0001 to the customer, because: .?The can got stuck.?\?/);
    assert.equal(refundedAtService('kiosk-p-0001'), 0, 'nothing is refunded before the confirmation');
    await Promise.all([page.waitForNavigation(), page.click('#refund-confirm button')]);
    assert.match(await page.locator('.notice.ok').innerText(), /Refund of 10\.50 NOK: refunded/);
    assert.equal(refundedAtService('kiosk-p-0001'), 1050);
    assert.match(await page.locator('#amounts').innerText(), /at most 14\.50 NOK/);
    const row = page.locator('#refunds tbody tr');
    assert.equal(await row.count(), 1);
    assert.match(await row.innerText(), /alice\s+10\.50 NOK\s+The can got stuck\s+refunded/);
  });

  it('a confirmation submitted twice at once refunds once', async () => {
    await capturedPayment(world.fleet.server.vipps!, emulator, 'kiosk-p-0002', 3000);
    await insertSale(world, 'kiosk-p-0002', 3000);
    await page.goto(`${world.url}sales/kiosk-p/kiosk-p-0002/refund`);
    await page.fill('input[name=reason]', 'Refund in full');
    await Promise.all([page.waitForNavigation(), page.click('#refund-form button')]);
    // Both POSTs leave before either is answered (a double click the browser did not swallow).
    // A string, not a function: the test's TypeScript is not compiled for the page.
    const statuses = await page.evaluate<number[]>(`(async () => {
      const form = document.querySelector('#refund-confirm');
      const body = new URLSearchParams(new FormData(form)).toString();
      const post = () => fetch(form.action, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' })
        .then((r) => (r.type === 'opaqueredirect' ? 303 : r.status));
      return Promise.all([post(), post()]);
    })()`);
    assert.deepEqual(statuses, [303, 303]);
    assert.equal(refundedAtService('kiosk-p-0002'), 3000);
    assert.equal(emulator.payment('kiosk-p-0002')!.events.filter((e) => e.name === 'REFUNDED').length, 1);
    await page.goto(`${world.url}sales/kiosk-p/kiosk-p-0002/refund`);
    assert.equal(await page.locator('#refunds tbody tr').count(), 1);
    assert.match(await page.locator('main').innerText(), /Nothing is left to refund/);
  });

  it('refuses more than is left on the review step, and sends nothing', async () => {
    await page.goto(`${world.url}sales/kiosk-p/kiosk-p-0001/refund`);
    await page.fill('input[name=amount]', '14.51');
    await page.fill('input[name=reason]', 'Too much');
    await Promise.all([page.waitForNavigation(), page.click('#refund-form button')]);
    assert.match(await page.locator('.notice.error').innerText(), /At most 14\.50 NOK can be refunded/);
    assert.equal(await page.locator('#refund-confirm').count(), 0);
    assert.equal(refundedAtService('kiosk-p-0001'), 1050);
  });
});

describe('fleet page: refunds without the merchant\'s keys (Chromium)', function () {
  this.timeout(60_000);
  let world: PageWorld;
  let page: Page;
  before(async function () {
    requireChromium(this);
    world = await startPageWorld();
    await world.fleet.addMachine('kiosk-p');
    await insertSale(world, 'kiosk-p-0001', 2500);
    ({ page } = await world.newPage());
    await logIn(page, world.url);
  });
  after(() => world?.close());

  it('says refunds need EPAYMENT_* and offers no form, nor a link on the sales page', async () => {
    await page.goto(`${world.url}sales/kiosk-p/kiosk-p-0001/refund`);
    assert.match(await page.locator('.notice.error').innerText(), /Refunds need the merchant's keys: .*EPAYMENT_BASE_URL/);
    assert.equal(await page.locator('form#refund-form').count(), 0);
    await page.goto(`${world.url}sales`);
    assert.equal(await page.locator('a.refund').count(), 0);
  });
});
