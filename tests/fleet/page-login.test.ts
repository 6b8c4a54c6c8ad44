// Logging in to the operator's page in a real browser: a wrong password refused, the lock-out after
// five in a row, the session cookie's attributes, the security headers, no page without a session.
import assert from 'node:assert/strict';
import { logIn, OPERATOR, PASSWORD, requireChromium, startPageWorld, type PageWorld } from './page-helpers';

describe('fleet page: logging in (PGlite + aedes + Chromium)', function () {
  this.timeout(90_000);
  let world: PageWorld;

  before(async function () {
    requireChromium(this);
    world = await startPageWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('sends to the login page without a session, and refuses a POST without one', async () => {
    const response = await fetch(`${world.url}machines`, { redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/login');
    const post = await fetch(`${world.url}stock/settings`, { method: 'POST', body: new URLSearchParams({ target: '99', default: '1' }) });
    assert.equal(post.status, 403);
    const settings = await world.fleet.db.query<{ refill_target: number }>('SELECT refill_target FROM alert_settings');
    assert.equal(settings[0]!.refill_target, 10);
  });

  it('serves every page with the security headers', async () => {
    const response = await fetch(`${world.url}login`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-security-policy')!, /default-src 'self'/);
    assert.match(response.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  });

  it('refuses a wrong password and logs in with the right one; the cookie is HttpOnly and SameSite=Strict', async () => {
    const { context, page } = await world.newPage();
    await logIn(page, world.url, OPERATOR, 'not the password at all');
    assert.match(await page.locator('.notice.error').innerText(), /Wrong name or password/);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal((await context.cookies()).filter((c) => c.name === 'fleet_session').length, 0);

    await logIn(page, world.url);
    assert.equal(new URL(page.url()).pathname, '/machines');
    assert.equal(await page.locator('h1').innerText(), 'Machines');
    const session = (await context.cookies()).find((c) => c.name === 'fleet_session');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.path, '/');
    // The table keeps only the token's hash.
    const rows = await world.fleet.db.query<{ id: string }>('SELECT id FROM sessions');
    assert.ok(rows.length >= 1);
    assert.ok(rows.every((row) => row.id !== session.value && /^[0-9a-f]{64}$/.test(row.id)));
    // The wrong try before the right one is forgotten.
    const op = await world.fleet.db.query<{ failed_logins: number }>('SELECT failed_logins FROM operators WHERE name = $1', [OPERATOR]);
    assert.equal(op[0]!.failed_logins, 0);

    await Promise.all([page.waitForNavigation(), page.click('form.logout button')]);
    assert.equal(new URL(page.url()).pathname, '/login');
    await page.goto(`${world.url}machines`);
    assert.equal(new URL(page.url()).pathname, '/login');
  });

  it('locks the name for 15 minutes after 5 wrong passwords in a row: then even the right one is refused', async () => {
    const { page } = await world.newPage();
    for (let i = 1; i <= 4; i++) {
      await logIn(page, world.url, OPERATOR, `wrong ${i}`);
      assert.match(await page.locator('.notice.error').innerText(), /Wrong name or password/);
    }
    await logIn(page, world.url, OPERATOR, 'wrong 5');
    assert.match(await page.locator('.notice.error').innerText(), /locked for 15 minutes/);
    await logIn(page, world.url, OPERATOR, PASSWORD);
    assert.match(await page.locator('.notice.error').innerText(), /locked/);
    assert.equal(new URL(page.url()).pathname, '/login');
    const row = (await world.fleet.db.query<{ minutes: number }>(
      `SELECT extract(epoch FROM locked_until - now()) / 60 AS minutes FROM operators WHERE name = $1`, [OPERATOR],
    ))[0]!;
    assert.ok(Number(row.minutes) > 14 && Number(row.minutes) <= 15, `locked for ${row.minutes} minutes`);

    // Once the time is past, the right password gets in again.
    await world.fleet.db.query(`UPDATE operators SET locked_until = now() - interval '1 second' WHERE name = $1`, [OPERATOR]);
    await logIn(page, world.url);
    assert.equal(new URL(page.url()).pathname, '/machines');
  });

  it('refuses a login POST whose form token does not match its cookie', async () => {
    const response = await fetch(`${world.url}login`, { method: 'POST', body: new URLSearchParams({ csrf: 'x'.repeat(43), name: OPERATOR, password: PASSWORD }), redirect: 'manual' });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('set-cookie'), null);
  });
});
