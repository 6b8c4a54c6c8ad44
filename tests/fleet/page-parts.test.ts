// The page's small parts on their own: escaping, CSV, the catalog message's checks, operators'
// password hashes, and `npm run fleet -- --add-operator` never printing the password.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MAX_CATALOG_BYTES, parseCatalog } from '../../fleet/catalog-message';
import { openDatabase } from '../../fleet/database';
import { csv, csvField } from '../../fleet/http/csv';
import { escapeHtml, html, money } from '../../fleet/http/html';
import { migrate } from '../../fleet/migrate';
import { readOperatorPassword } from '../../fleet/operator-password';
import { addOperator, checkLogin } from '../../fleet/operators';
import { catalog } from './page-helpers';

describe('fleet page parts', function () {
  this.timeout(60_000);

  it('html`…` escapes every value but Html, arrays included', () => {
    const evil = `<script>"x" & 'y'</script>`;
    assert.equal(escapeHtml(evil), '&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;');
    assert.equal(html`<td title="${evil}">${[evil, html`<b>${evil}</b>`]}</td>`.text,
      `<td title="${escapeHtml(evil)}">${escapeHtml(evil)}<b>${escapeHtml(evil)}</b></td>`);
    assert.equal(html`${undefined}${null}${false}${0}`.text, '0');
    assert.equal(money(2750, 'NOK'), '27.50 NOK');
    assert.equal(money(5, 'EUR'), '0.05 EUR');
  });

  it('CSV quotes commas, quotes and line breaks, and defuses formulas', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField('-5', false), '-5');
    assert.equal(csv(['a', 'b'], [[['x,y', true], [3, false]]]), 'a,b\r\n"x,y",3\r\n');
  });

  it('checks an up/catalog field by field and its size', () => {
    const ok = parseCatalog('vend/k-1/up/catalog', Buffer.from(JSON.stringify(catalog())));
    assert.ok(ok.ok);
    assert.equal(ok.posId, 'k-1');
    assert.equal(ok.catalog.products.length, 3);
    assert.equal(ok.catalog.products[2]!.stock, undefined);
    const refuse = (body: unknown, topic = 'vend/k-1/up/catalog') => {
      const parsed = parseCatalog(topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
      assert.equal(parsed.ok, false, JSON.stringify(body).slice(0, 80));
      return parsed.ok ? '' : parsed.reason;
    };
    assert.match(refuse('{'), /not JSON/);
    assert.match(refuse(catalog({ v: 2 })), /v is not 1/);
    assert.match(refuse(catalog({ cfg: 'abc' })), /cfg/);
    assert.match(refuse(catalog({ languages: ['nb', 'xx'] })), /languages/);
    assert.match(refuse(catalog({ languages: ['nb', 'nb'] })), /languages/);
    assert.match(refuse(catalog({ products: [{ id: 'cola', names: { sv: 'Cola' }, price: 100, soldOut: false }] })), /language/);
    assert.match(refuse(catalog({ products: [{ id: 'cola', names: { nb: 'Cola' }, price: 100, soldOut: false, pin: 3 }] })), /unknown field/);
    assert.match(refuse(catalog({ products: [{ id: 'Cola!', names: { nb: 'Cola' }, price: 100, soldOut: false }] })), /id/);
    assert.match(refuse(catalog({ products: [{ id: 'a', names: { nb: 'A' }, price: 100, soldOut: false }, { id: 'a', names: { nb: 'B' }, price: 100, soldOut: false }] })), /twice/);
    assert.match(refuse(catalog({ products: [{ id: 'a', names: { nb: 'A' }, price: 1.5, soldOut: 'no' }] })), /price.*soldOut|price/);
    assert.match(refuse(catalog(), 'vend/fleet/up/catalog'), /not a catalog topic/);
    assert.match(refuse(catalog({ pad: 'x'.repeat(MAX_CATALOG_BYTES) })), /over 8192/);
  });

  it('stores an operator password as a salted scrypt hash; locks after 5 wrong in a row', async () => {
    const db = await openDatabase({});
    try {
      await migrate(db);
      await assert.rejects(addOperator(db, 'bob', 'short'), /at least 12/);
      await assert.rejects(addOperator(db, 'bob smith', 'long enough password'), /operator name/);
      await addOperator(db, 'bob', 'long enough password');
      await addOperator(db, 'carol', 'long enough password');
      await assert.rejects(addOperator(db, 'bob', 'another long password'), /exists already/);
      const hashes = await db.query<{ password_hash: string }>('SELECT password_hash FROM operators ORDER BY name');
      for (const { password_hash } of hashes) {
        assert.match(password_hash, /^scrypt\$32768\$8\$1\$/);
        assert.ok(!password_hash.includes('long enough'));
      }
      assert.notEqual(hashes[0]!.password_hash, hashes[1]!.password_hash, 'salted: the same password, two hashes');
      assert.deepEqual(await checkLogin(db, 'nobody', 'long enough password'), { ok: false, reason: 'wrong' });
      assert.equal((await checkLogin(db, 'bob', 'long enough password')).ok, true);
      for (let i = 0; i < 4; i++) assert.deepEqual(await checkLogin(db, 'bob', 'wrong'), { ok: false, reason: 'wrong' });
      // A right one in between starts the count again.
      assert.equal((await checkLogin(db, 'bob', 'long enough password')).ok, true);
      for (let i = 0; i < 4; i++) assert.deepEqual(await checkLogin(db, 'bob', 'wrong'), { ok: false, reason: 'wrong' });
      assert.deepEqual(await checkLogin(db, 'bob', 'wrong'), { ok: false, reason: 'locked' });
      assert.deepEqual(await checkLogin(db, 'bob', 'long enough password'), { ok: false, reason: 'locked' });
      // Only bob.
      assert.equal((await checkLogin(db, 'carol', 'long enough password')).ok, true);
    } finally {
      await db.close();
    }
  });

  it('reads the password from the environment or the first line of stdin', async () => {
    assert.equal(await readOperatorPassword({ FLEET_OPERATOR_PASSWORD: 'from env' }, Readable.from(['ignored']) as unknown as NodeJS.ReadStream), 'from env');
    assert.equal(await readOperatorPassword({}, Readable.from([Buffer.from('piped secret\nrest\n')]) as unknown as NodeJS.ReadStream), 'piped secret');
  });

  it('npm run fleet -- --add-operator: adds the operator and never prints the password', async () => {
    const state = mkdtempSync(join(tmpdir(), 'fleet-operator-'));
    try {
      const secret = 'a very secret password 42';
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'fleet/main.ts', '--state', state, '--add-operator', 'dave'], { input: `${secret}\n`, encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /operator dave added/);
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
      const db = await openDatabase({ dataDir: join(state, 'db') });
      try {
        assert.equal((await checkLogin(db, 'dave', secret)).ok, true);
      } finally {
        await db.close();
      }
      const again = spawnSync(process.execPath, ['--import', 'tsx', 'fleet/main.ts', '--state', state, '--add-operator', 'dave'], { env: { ...process.env, FLEET_OPERATOR_PASSWORD: secret }, encoding: 'utf8', timeout: 60_000 });
      assert.equal(again.status, 1);
      assert.match(again.stderr, /exists already/);
      assert.ok(!again.stderr.includes(secret));
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
