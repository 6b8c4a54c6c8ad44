// A catalog edit from the page in a real browser: checked before it is sent (a price below the
// currency's minimum is refused and nothing goes), sent as a signed down/config the machine verifies,
// applied after the machine's up/ack, sent again after a hello while pending, refused with a reason.
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import type { MachineCredentials } from '../../fleet/machines';
import { verifyDown } from '../../fleet/signing';
import { connectMachine, delay, hello, nextMessage } from './helpers';
import { catalog, logIn, machine, publish, requireChromium, startPageWorld, type PageWorld } from './page-helpers';

describe('fleet page: catalog edits (PGlite + aedes + Chromium)', function () {
  this.timeout(90_000);
  let world: PageWorld;
  let page: Page;
  let a: MachineCredentials;
  let client: MqttClient;
  const topic = 'vend/kiosk-c/down/config';

  before(async function () {
    requireChromium(this);
    world = await startPageWorld();
    a = await world.fleet.addMachine('kiosk-c');
    client = await machine(world.fleet, a);
    assert.equal(await publish(world.fleet, client, 'kiosk-c', 'hello', hello()), true);
    assert.equal(await publish(world.fleet, client, 'kiosk-c', 'catalog', catalog()), true);
    ({ page } = await world.newPage());
    await logIn(page, world.url);
  });
  after(async () => {
    await client?.endAsync().catch(() => {});
    await world?.close();
  });

  const verify = (payload: Buffer) => verifyDown(a.key, topic, payload, { nowSeconds: Math.floor(Date.now() / 1000) });

  it('refuses an edit the machine would refuse (price below the NOK minimum) and sends nothing', async () => {
    const down: string[] = [];
    const listen = (t: string) => down.push(t);
    client.on('message', listen);
    await page.goto(`${world.url}machines/kiosk-c/catalog`);
    await page.fill('input[name="price.cola"]', '0.50');
    await Promise.all([page.waitForNavigation(), page.click('#catalog button')]);
    assert.match(await page.locator('.notice.error').innerText(), /Not sent: catalog\[0\]\.price: 50 is below the NOK minimum of 100/);
    await delay(300);
    client.off('message', listen);
    assert.deepEqual(down, []);
    assert.equal(Number((await world.fleet.db.query<{ n: number }>('SELECT count(*)::int AS n FROM config_versions'))[0]!.n), 0);
  });

  it('sends a price change as a signed down/config; the version is applied after the machine acks', async () => {
    await page.goto(`${world.url}machines/kiosk-c/catalog`);
    await page.fill('input[name="price.cola"]', '27.50');
    await page.fill('input[name="stock.chips"]', '8');
    await page.fill('input[name="name.gum.en"]', 'Chewing gum');
    await page.check('input[name="soldOut.gum"]');
    const arrived = nextMessage(client, topic);
    await Promise.all([page.waitForNavigation(), page.click('#catalog button')]);
    const payload = await arrived;
    const verified = verify(payload);
    assert.ok(verified.ok, verified.ok ? '' : verified.reason);
    // A different key (another machine's) does not verify it.
    assert.equal(verifyDown('0'.repeat(64), topic, payload, { nowSeconds: Math.floor(Date.now() / 1000) }).ok, false);
    const message = verified.message as { id: string; products: Array<Record<string, unknown>> };
    assert.match(message.id, /^\d+$/);
    assert.deepEqual(message.products, [
      { id: 'cola', names: { nb: 'Cola', en: 'Cola' }, price: 2750, soldOut: false, stock: 4 },
      { id: 'chips', names: { nb: 'Potetgull', en: 'Crisps' }, price: 3000, soldOut: false, stock: 8 },
      { id: 'gum', names: { nb: 'Tyggegummi', en: 'Chewing gum' }, price: 1500, soldOut: true },
    ]);
    assert.match(await page.locator('.notice.ok').innerText(), new RegExp(`Version ${message.id} sent`));
    assert.equal(await page.locator(`tr[data-version="${message.id}"] .state`).innerText(), 'pending');

    assert.equal(await publish(world.fleet, client, 'kiosk-c', 'ack', { v: 1, id: message.id, result: 'applied', cfg: 'd'.repeat(64) }), true);
    await page.reload();
    assert.equal(await page.locator(`tr[data-version="${message.id}"] .state`).innerText(), 'applied');
    assert.match(await page.locator(`tr[data-version="${message.id}"] .reason`).innerText(), /applied dddddddddddd/);
  });

  it('sends a pending version again after the machine\'s hello, and shows a refusal with its reason', async () => {
    await page.goto(`${world.url}machines/kiosk-c/catalog`);
    await page.fill('input[name="price.chips"]', '32');
    const first = nextMessage(client, topic);
    await Promise.all([page.waitForNavigation(), page.click('#catalog button')]);
    const sent = verify(await first);
    assert.ok(sent.ok);
    const id = (sent.message as { id: string }).id;

    // The machine was away and comes back: its hello brings the pending version again.
    await client.endAsync();
    client = await connectMachine(world.fleet.url, a);
    await client.subscribeAsync('vend/kiosk-c/down/#', { qos: 0 });
    const again = nextMessage(client, topic);
    assert.equal(await publish(world.fleet, client, 'kiosk-c', 'hello', hello()), true);
    const resent = verify(await again);
    assert.ok(resent.ok);
    assert.equal((resent.message as { id: string }).id, id);
    assert.equal((resent.message as { products: Array<{ price: number }> }).products[1]!.price, 3200);
    assert.notEqual((resent.message as { n: string }).n, (sent.message as { n: string }).n);

    assert.equal(await publish(world.fleet, client, 'kiosk-c', 'ack', { v: 1, id, result: 'refused', reason: 'in service mode <b>now</b>' }), true);
    await page.reload();
    assert.equal(await page.locator(`tr[data-version="${id}"] .state`).innerText(), 'refused');
    assert.equal(await page.locator(`tr[data-version="${id}"] .reason`).innerText(), 'in service mode <b>now</b>');
    // Neither refused nor applied ones go again.
    const none = nextMessage(client, topic, 800).then(() => 'sent', () => 'nothing');
    assert.equal(await publish(world.fleet, client, 'kiosk-c', 'hello', hello()), true);
    assert.equal(await none, 'nothing');
  });

  it('supersedes an older pending version with a newer one: only the newest goes again, a late answer to the older changes nothing', async () => {
    await page.goto(`${world.url}machines/kiosk-c/catalog`);
    await page.fill('input[name="price.chips"]', '33');
    const first = nextMessage(client, topic);
    await Promise.all([page.waitForNavigation(), page.click('#catalog button')]);
    const older = (verify(await first) as { ok: true; message: { id: string } }).message.id;
    await page.goto(`${world.url}machines/kiosk-c/catalog`);
    await page.fill('input[name="price.chips"]', '34');
    const second = nextMessage(client, topic);
    await Promise.all([page.waitForNavigation(), page.click('#catalog button')]);
    const newer = (verify(await second) as { ok: true; message: { id: string } }).message.id;
    assert.notEqual(older, newer);
    await page.reload();
    assert.equal(await page.locator(`tr[data-version="${older}"] .state`).innerText(), 'superseded');
    assert.match(await page.locator(`tr[data-version="${older}"] .reason`).innerText(), new RegExp(`replaced by version ${newer}`));

    // After a hello only the newer one is sent again.
    const resent: string[] = [];
    const collect = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      const verified = verify(payload);
      if (verified.ok) resent.push((verified.message as { id: string }).id);
    };
    client.on('message', collect);
    assert.equal(await publish(world.fleet, client, 'kiosk-c', 'hello', hello()), true);
    await delay(800);
    client.off('message', collect);
    assert.deepEqual(resent, [newer]);

    // The machine answers the older one late: accepted, it stays superseded; the newer is applied.
    assert.equal(await publish(world.fleet, client, 'kiosk-c', 'ack', { v: 1, id: older, result: 'applied', cfg: 'a'.repeat(64) }), true);
    assert.equal(await publish(world.fleet, client, 'kiosk-c', 'ack', { v: 1, id: newer, result: 'applied', cfg: 'b'.repeat(64) }), true);
    const states = await world.fleet.db.query<{ id: number; state: string }>('SELECT id, state FROM config_versions WHERE id = ANY($1::int[]) ORDER BY id', [[Number(older), Number(newer)]]);
    assert.deepEqual(states.map((row) => row.state), ['superseded', 'applied']);
  });
});
