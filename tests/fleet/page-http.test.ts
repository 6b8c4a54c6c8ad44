// The page's HTTP edges without a browser: a body over 64 KiB is refused (413) and the server goes on,
// cookies are Secure over https only, and the alert settings form saves good values and refuses bad
// ones without changing anything. The auto-refresh script, in Chromium with its clock driven.
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCertificateChain } from '../../tools/emulator/certificates';
import { startTestFleet, type TestFleet } from './helpers';
import { OPERATOR, PASSWORD, logIn, requireChromium, startPageWorld, type PageWorld } from './page-helpers';
import { addOperator } from '../../fleet/operators';
import { MAX_FORM_BYTES } from '../../fleet/http/respond';

/** A logged-in session made over plain HTTP: its cookie header and CSRF token. */
async function logInOverHttp(url: string): Promise<{ cookie: string; csrf: string }> {
  const form = await fetch(`${url}login`);
  const loginCookie = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const loginCsrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const answer = await fetch(`${url}login`, {
    method: 'POST', redirect: 'manual', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: loginCsrf, name: OPERATOR, password: PASSWORD }).toString(),
  });
  assert.equal(answer.status, 303);
  const cookie = answer.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=')).join('; ');
  const machines = await fetch(`${url}alerts`, { headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await machines.text())![1]!;
  return { cookie, csrf };
}

describe('fleet page: HTTP edges', function () {
  this.timeout(60_000);
  let fleet: TestFleet;
  let url: string;

  before(async () => {
    fleet = await startTestFleet({ httpPort: 0, httpHost: '127.0.0.1' });
    await addOperator(fleet.db, OPERATOR, PASSWORD);
    url = fleet.server.operator!.http.url;
  });
  after(() => fleet?.close());

  it('refuses a form over 64 KiB with 413, and answers the next request', async () => {
    const big = `name=${'a'.repeat(MAX_FORM_BYTES + 1024)}`;
    const answer = await fetch(`${url}login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: big }).catch((error: Error) => error);
    // The server answers 413 and drops the connection; the client sees the status or the reset.
    if (answer instanceof Error) assert.match(String((answer as Error & { cause?: Error }).cause?.message ?? answer.message), /ECONNRESET|socket|other side closed|EPIPE/);
    else assert.equal(answer.status, 413);
    const next = await fetch(`${url}login`);
    assert.equal(next.status, 200);
    assert.equal(await fleet.db.query('SELECT 1 FROM sessions').then((rows) => rows.length), 0);
  });

  it('sends cookies without Secure over http', async () => {
    const answer = await fetch(`${url}login`);
    const cookies = answer.headers.getSetCookie();
    assert.ok(cookies.length > 0);
    for (const cookie of cookies) {
      assert.match(cookie, /HttpOnly; SameSite=Strict/);
      assert.doesNotMatch(cookie, /Secure/);
    }
  });

  it('saves the alert settings from the form, and refuses values out of range changing nothing', async () => {
    const { cookie, csrf } = await logInOverHttp(url);
    const post = (fields: Record<string, string>) => fetch(`${url}alerts/settings`, {
      method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, ...fields }).toString(),
    });
    const settings = async () => (await fleet.db.query<{ offline_after_s: number; no_sale_after_s: number; queue_growing_beats: number }>('SELECT offline_after_s, no_sale_after_s, queue_growing_beats FROM alert_settings'))[0];
    const saved = await post({ offlineMinutes: '7', noSaleHours: '3', queueBeats: '4' });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get('location'), '/alerts');
    assert.deepEqual(await settings(), { offline_after_s: 420, no_sale_after_s: 10_800, queue_growing_beats: 4 });
    for (const bad of [{ offlineMinutes: '0' }, { noSaleHours: '721' }, { queueBeats: '1' }, { offlineMinutes: '5; DROP TABLE sales' }, { noSaleHours: '' }]) {
      const answer = await post({ offlineMinutes: '7', noSaleHours: '3', queueBeats: '4', ...bad });
      assert.equal(answer.status, 400, JSON.stringify(bad));
      assert.match(await answer.text(), /Each must be a whole number in its range/);
    }
    assert.deepEqual(await settings(), { offline_after_s: 420, no_sale_after_s: 10_800, queue_growing_beats: 4 });
    const withoutToken = await fetch(`${url}alerts/settings`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'offlineMinutes=1&noSaleHours=1&queueBeats=2' });
    assert.equal(withoutToken.status, 403);
    assert.equal((await settings())!.offline_after_s, 420);
  });
});

describe('fleet page over https', function () {
  this.timeout(60_000);
  let fleet: TestFleet;
  let dir: string;
  let ca: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-https-'));
    const chain = ensureCertificateChain(dir);
    ca = chain.rootPem;
    fleet = await startTestFleet({ httpPort: 0, httpHost: '127.0.0.1', httpTls: { key: chain.key, cert: chain.cert } });
  });
  after(async () => {
    await fleet?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('marks every cookie Secure', async () => {
    const { port } = fleet.server.operator!.http;
    assert.match(fleet.server.operator!.http.url, /^https:/);
    const cookies = await new Promise<string[]>((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', servername: 'localhost', port, path: '/login', ca }, (response) => {
        response.resume();
        resolve(response.headers['set-cookie'] ?? []);
      }).on('error', reject).end();
    });
    assert.ok(cookies.length > 0);
    for (const cookie of cookies) assert.match(cookie, /; Secure$/);
  });
});

describe('fleet page: the auto-refresh (Chromium)', function () {
  this.timeout(60_000);
  let world: PageWorld;

  before(async function () {
    requireChromium(this);
    world = await startPageWorld();
  });
  after(() => world?.close());

  it('reloads a page marked data-refresh (alerts: 30 s), but not while the operator types in a form', async () => {
    const { page } = await world.newPage();
    await page.clock.install();
    await logIn(page, world.url);
    await page.goto(`${world.url}alerts`);
    const loads: string[] = [];
    page.on('load', () => loads.push(page.url()));
    await page.focus('input[name=offlineMinutes]');
    await page.clock.runFor(65_000);
    assert.equal(loads.length, 0, 'no reload while an input has the focus');
    await page.locator('input[name=offlineMinutes]').blur();
    await Promise.all([page.waitForEvent('load'), page.clock.runFor(31_000)]);
    assert.equal(loads.length, 1);
    assert.match(loads[0]!, /\/alerts$/);
  });
});
