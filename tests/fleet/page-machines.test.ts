// The operator's page with machines at work: a machine online after its hello, a sale on the Sales
// page after its up/sale, CSV export, a product name with <script> shown as text, the stock and
// pick list, and CSRF: a POST without or with a wrong token is refused and changes nothing.
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import type { MachineCredentials } from '../../fleet/machines';
import { delay, hello, heartbeat, sale } from './helpers';
import { catalog, logIn, machine, publish, requireChromium, startPageWorld, type PageWorld } from './page-helpers';

describe('fleet page: machines, sales, stock (PGlite + aedes + Chromium)', function () {
  this.timeout(90_000);
  let world: PageWorld;
  let page: Page;
  let a: MachineCredentials;
  let client: MqttClient;

  before(async function () {
    requireChromium(this);
    world = await startPageWorld();
    a = await world.fleet.addMachine('kiosk-a');
    client = await machine(world.fleet, a);
    ({ page } = await world.newPage());
    await logIn(page, world.url);
  });
  after(async () => {
    await client?.endAsync().catch(() => {});
    await world?.close();
  });

  /** The session's cookie header and CSRF token, for requests made outside the browser. */
  async function sessionOf(): Promise<{ cookie: string; csrf: string }> {
    const cookies = await page.context().cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    await page.goto(`${world.url}stock`);
    const csrf = await page.locator('input[name=csrf]').first().getAttribute('value');
    return { cookie, csrf: csrf! };
  }

  it('shows a machine offline, then online after its hello, with its heartbeat', async () => {
    await page.goto(`${world.url}machines`);
    assert.match(await page.locator('tr[data-machine="kiosk-a"] .state').innerText(), /offline \(never seen\)/);
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'hello', hello({ fw: '1.4.2' })), true);
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'heartbeat', heartbeat({ inService: false, reason: 'E01', queue: 3, pending: 2, late: 1, overdue: 0 })), true);
    await page.reload();
    const row = page.locator('tr[data-machine="kiosk-a"]');
    assert.match(await row.locator('.state').innerText(), /^online since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    assert.equal(await row.locator('.service').innerText(), 'out of service: E01');
    assert.equal(await row.locator('.firmware').innerText(), '1.4.2');
    assert.equal(await row.locator('.queue').innerText(), '3');
    assert.equal(await row.locator('.captures').innerText(), '2 / 1 / 0');
    assert.equal(await row.locator('.last-sale').innerText(), 'none');
    assert.equal(await row.locator('.lost').count(), 0, 'nothing lost, nothing said');
    // Away longer than its log holds: the machine says how many sale events never reached the fleet.
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'heartbeat', heartbeat({ inService: false, reason: 'E01', queue: 3, pending: 2, late: 1, overdue: 0, lost: 7 })), true);
    await page.reload();
    assert.match(await row.locator('.lost').innerText(), /^7 sale events left the machine's 50-sale log before the fleet had them$/);
  });

  it('shows a sale after its up/sale, filters it, totals it per currency', async () => {
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'sale', sale('kiosk-a', { seq: 1, reference: 'kiosk-a-0001', time: 1_765_000_000, amount: 2500 })), true);
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'sale', sale('kiosk-a', { seq: 2, reference: 'kiosk-a-0002', product: 'chips', time: 1_765_000_100, amount: 3000 })), true);
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'sale', sale('kiosk-a', { seq: 3, reference: 'kiosk-a-0003', time: 1_765_000_200, amount: 2500, outcome: 'cancelled' })), true);
    await page.goto(`${world.url}sales`);
    assert.equal(await page.locator('#sales tbody tr').count(), 3);
    assert.equal(await page.locator('tr[data-reference="kiosk-a-0002"] .product').innerText(), 'chips');
    // Captured only: 25.00 + 30.00.
    assert.equal(await page.locator('#totals tr[data-currency="NOK"] .total').innerText(), '55.00 NOK');
    await page.fill('input[name=product]', 'cola');
    await Promise.all([page.waitForNavigation(), page.click('form.filter button')]);
    assert.equal(await page.locator('#sales tbody tr').count(), 2);
    assert.equal(await page.locator('#totals tr[data-currency="NOK"] .total').innerText(), '25.00 NOK');
    // 1_765_000_000 is 2025-12-06 05:46:40 UTC: the day before has none.
    await page.goto(`${world.url}sales?day=2025-12-05`);
    assert.equal(await page.locator('#sales tbody tr').count(), 0);
    await page.goto(`${world.url}sales?day=2025-12-06&machine=kiosk-a`);
    assert.equal(await page.locator('#sales tbody tr').count(), 3);
    await page.goto(`${world.url}machines`);
    assert.equal(await page.locator('tr[data-machine="kiosk-a"] .last-sale').innerText(), '2025-12-06 05:50:00 UTC');
  });

  it('exports CSV with commas, quotes and formula starts escaped', async () => {
    const product = 'cola, "big"';
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'sale', sale('kiosk-a', { seq: 4, reference: 'kiosk-a-=1+2', product, time: 1_765_000_300 })), true);
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'sale', sale('kiosk-a', { seq: 5, reference: 'kiosk-a-0005', product: '=1+2', time: 1_765_000_400 })), true);
    const { cookie } = await sessionOf();
    const response = await fetch(`${world.url}sales.csv?machine=kiosk-a`, { headers: { cookie } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/csv/);
    assert.match(response.headers.get('content-disposition')!, /attachment; filename="sales.csv"/);
    const lines = (await response.text()).split('\r\n');
    assert.equal(lines[0], 'machine,reference,sale_time_utc,product,amount_minor,currency,outcome,received_utc');
    const line = lines.find((l) => l.startsWith('kiosk-a,kiosk-a-=1+2,'));
    assert.ok(line, lines.join('\n'));
    assert.ok(line.startsWith('kiosk-a,kiosk-a-=1+2,2025-12-06T05:51:40.000Z,"cola, ""big""",2500,NOK,captured,'), line);
    // A spreadsheet would run =1+2: it gets an apostrophe first.
    assert.ok(lines.some((l) => l.startsWith("kiosk-a,kiosk-a-0005,2025-12-06T05:53:20.000Z,'=1+2,2500,")), lines.join('\n'));
    assert.equal(lines.length, 1 + 5 + 1);
    // Without a session: no CSV.
    assert.equal((await fetch(`${world.url}sales.csv`, { redirect: 'manual' })).status, 303);
  });

  it('shows a product name with <script> as text, on the stock and catalog pages', async () => {
    const evil = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
    const reported = catalog();
    (reported.products as Array<Record<string, unknown>>)[0]!.names = { nb: evil, en: 'Cola' };
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'catalog', reported), true);
    for (const path of ['stock', 'machines/kiosk-a/catalog']) {
      await page.goto(`${world.url}${path}`);
      assert.equal(await page.evaluate('window.pwned'), undefined, path);
      assert.equal(await page.locator('img[src=x]').count(), 0, path);
      const { cookie } = await sessionOf();
      const text = await (await fetch(`${world.url}${path}`, { headers: { cookie } })).text();
      assert.ok(!text.includes('<script>window'), path);
      assert.ok(text.includes('&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;'), path);
    }
    await page.goto(`${world.url}stock`);
    assert.ok((await page.locator('table.stock tr[data-product="cola"] .name').innerText()).startsWith(evil));
    await page.goto(`${world.url}machines/kiosk-a/catalog`);
    assert.equal(await page.locator('input[name="name.cola.nb"]').inputValue(), evil);
  });

  it('shows the stock, marks what is low, and makes the pick list to the target', async () => {
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'catalog', catalog()), true);
    await page.goto(`${world.url}stock`);
    const table = page.locator('table.stock[data-machine="kiosk-a"]');
    // cola 4 left, chips 1 (low at the default 2); gum is not counted.
    assert.equal(await table.locator('tbody tr').count(), 2);
    assert.equal(await table.locator('tr[data-product="chips"] .left').innerText(), '1 (low)');
    assert.equal(await table.locator('tr[data-product="cola"] .left').innerText(), '4');
    assert.equal(await page.locator('#picks tr[data-product="cola"] .units').innerText(), '6');
    assert.equal(await page.locator('#picks tr[data-product="chips"] .units').innerText(), '9');
    // cola low at 5: now low.
    const level = table.locator('tr[data-product="cola"] form');
    await level.locator('input[name=level]').fill('5');
    await Promise.all([page.waitForNavigation(), level.locator('button').click()]);
    assert.equal(await page.locator('table.stock tr[data-product="cola"] .left').innerText(), '4 (low)');
    const rows = await world.fleet.db.query<{ level: number }>(`SELECT level FROM low_stock_levels WHERE pos_id = 'kiosk-a' AND product = 'cola'`);
    assert.equal(rows[0]!.level, 5);
  });

  it('refuses a POST without the CSRF token or with a wrong one (403), and changes nothing', async () => {
    const { cookie, csrf } = await sessionOf();
    const level = async () => (await world.fleet.db.query<{ level: number }>(`SELECT level FROM low_stock_levels WHERE pos_id = 'kiosk-a' AND product = 'cola'`))[0]!.level;
    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${world.url}${path}`, { method: 'POST', headers: { cookie }, body: new URLSearchParams(fields), redirect: 'manual' });
    const before = await level();
    assert.equal((await post('stock/level', { machine: 'kiosk-a', product: 'cola', level: '9' })).status, 403);
    assert.equal((await post('stock/level', { machine: 'kiosk-a', product: 'cola', level: '9', csrf: `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}` })).status, 403);
    assert.equal((await post('stock/level', { machine: 'kiosk-a', product: 'cola', level: '9', csrf: '' })).status, 403);
    assert.equal(await level(), before);
    // A catalog edit without the token sends nothing.
    const versions = async () => Number((await world.fleet.db.query<{ n: number }>('SELECT count(*)::int AS n FROM config_versions'))[0]!.n);
    const down: string[] = [];
    client.on('message', (topic) => down.push(topic));
    assert.equal((await post('machines/kiosk-a/catalog', { 'price.cola': '1.00', 'name.cola.nb': 'Cola', 'price.chips': '30.00', 'name.chips.nb': 'P', 'price.gum': '15.00', 'name.gum.nb': 'T', 'stock.cola': '4', 'stock.chips': '1' })).status, 403);
    assert.equal((await post('alerts/settings', { offlineMinutes: '1', noSaleHours: '1', queueBeats: '2', csrf: 'nope' })).status, 403);
    assert.equal((await post('logout', {})).status, 403);
    await delay(300);
    assert.equal(await versions(), 0);
    assert.deepEqual(down.filter((topic) => topic.endsWith('/down/config')), []);
    // The same POST with the right token does change it (so the 403s above were the token's doing).
    assert.equal((await post('stock/level', { machine: 'kiosk-a', product: 'cola', level: '9', csrf })).status, 303);
    assert.equal(await level(), 9);
    // The session survived the refused logout.
    await page.goto(`${world.url}machines`);
    assert.equal(new URL(page.url()).pathname, '/machines');
  });

  it('refuses a catalog that is not a catalog, or too large', async () => {
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'catalog', catalog({ currency: 'SEK' })), false);
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'catalog', catalog({ products: [{ id: 'cola', names: { nb: 'x' }, price: -1, soldOut: false }] })), false);
    const big = catalog();
    (big.products as Array<Record<string, unknown>>)[0]!.names = { nb: 'x'.repeat(100), en: 'y'.repeat(100) };
    (big as Record<string, unknown>).products = Array.from({ length: 40 }, (_, i) => ({ id: `p${i}`, names: { nb: 'x'.repeat(100), en: 'y'.repeat(100) }, price: 2500, soldOut: false }));
    assert.ok(JSON.stringify(big).length > 8192);
    assert.equal(await publish(world.fleet, client, 'kiosk-a', 'catalog', big), false);
    const stored = await world.fleet.db.query<{ currency: string; n: number }>(`SELECT currency, jsonb_array_length(products) AS n FROM machine_catalogs WHERE pos_id = 'kiosk-a'`);
    assert.deepEqual(stored.map((r) => [r.currency, Number(r.n)]), [['NOK', 3]]);
  });
});
