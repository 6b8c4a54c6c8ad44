// The tester page and the customer's "app" page in a real browser (Debian's Chromium, driven by
// playwright-core): the buttons must really move payments, as a tester clicking them would.
// Without Chromium the suite says so and skips; CI installs it and sets CI=true, where a missing
// browser is a failure.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { useEmulator } from './helpers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Flags for a closed network: no background fetches, no first-run work.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('emulator pages in a real browser', function () {
  this.timeout(60_000);
  const context = useEmulator({ merchantName: 'Kiosk Nord' });
  let browser: Browser | undefined;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI) throw new Error(`no Chromium at ${CHROMIUM}: CI must install it (apt-get install chromium)`);
      console.log(`      skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });

  after(async () => {
    await browser?.close();
  });

  /** A payment waiting for the customer; returns its reference and the URL its QR carries. */
  async function createPayment(description: string): Promise<{ reference: string; url: string }> {
    const reference = await context.client.payment({ paymentDescription: description, qrFormat: { format: 'TEXT/TARGETURL' } }, false);
    return { reference, url: context.emulator.payment(reference)!.redirectUrl! };
  }

  it('the phone page shows the merchant, amount and description, and Approve authorizes the payment', async () => {
    const { reference, url } = await createPayment('Ear buds');
    const page = await browser!.newPage();
    await page.goto(url);
    const text = await page.textContent('body');
    assert.match(text ?? '', /Kiosk Nord/);
    assert.match(text ?? '', /25\.00 NOK/);
    assert.match(text ?? '', /Ear buds/);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Paid. You can close this page.').waitFor();
    assert.equal(context.emulator.payment(reference)!.state, 'AUTHORIZED');
  });

  it('Reject on the phone page aborts the payment', async () => {
    const { reference, url } = await createPayment('Chocolate');
    const page = await browser!.newPage();
    await page.goto(url);
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Payment rejected.').waitFor();
    assert.equal(context.emulator.payment(reference)!.state, 'ABORTED');
  });

  it('the tester page lists payments live, and its Approve and Expire buttons act on the right one', async () => {
    const page = await browser!.newPage();
    await page.goto(`${context.emulator.baseUrl}/`);
    const first = (await createPayment('Sparkling water')).reference;
    const second = (await createPayment('Crisps')).reference;
    // Live: both rows appear without a reload.
    await page.waitForSelector(`text=${first}`);
    await page.waitForSelector(`text=${second}`);
    await page.locator('tr', { hasText: first }).getByRole('button', { name: 'Approve' }).click();
    await page.locator('tr', { hasText: second }).getByRole('button', { name: 'Expire' }).click();
    // The page shows the new states by itself, from the admin API.
    await page.locator('tr', { hasText: first }).filter({ hasText: 'AUTHORIZED' }).waitFor();
    await page.locator('tr', { hasText: second }).filter({ hasText: 'EXPIRED' }).waitFor();
    assert.equal(context.emulator.payment(first)!.state, 'AUTHORIZED');
    assert.equal(context.emulator.payment(second)!.state, 'EXPIRED');
  });
});
