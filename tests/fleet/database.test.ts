// The schema on a real database (PGlite, or PostgreSQL with FLEET_TEST_DATABASE_URL): migrations,
// the constraints that are cheap to have, and sales that cannot be deleted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../fleet/database';
import { migrate, readMigrations } from '../../fleet/migrate';
import { describeSetup, freshDatabase } from './helpers';

describe(`fleet database (${describeSetup()})`, function () {
  this.timeout(60_000);
  let db: Database;
  let drop: () => Promise<void>;

  before(async () => {
    ({ db, drop } = await freshDatabase());
  });
  after(async () => {
    await drop?.();
  });

  const count = async (sql: string, params: unknown[] = []): Promise<number> => Number((await db.query<{ n: number }>(sql, params))[0]!.n);

  it('applies every migration once, records it, and applies nothing the second time', async () => {
    const names = readMigrations().map((migration) => migration.name);
    assert.ok(names.includes('001_initial.sql'));
    assert.deepEqual(await migrate(db), names);
    assert.deepEqual(await migrate(db), []);
    const recorded = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    assert.deepEqual(recorded.map((row) => row.name), names);
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
    );
    assert.deepEqual(
      tables.map((row) => row.table_name),
      ['alert_settings', 'alerts', 'books_settings', 'config_versions', 'heartbeats', 'ledger_dates', 'ledger_entries', 'ledgers', 'low_stock_levels', 'machine_catalogs', 'machines', 'operators', 'refunds', 'sales', 'schema_migrations', 'sessions', 'webhook_events', 'webhook_registrations'],
    );
  });

  it('lets two servers starting at once migrate the same database: one applies, the other finds it done', async () => {
    const fresh = await freshDatabase();
    // PostgreSQL: two pools, as two processes would have; PGlite: one database, two callers.
    const second = fresh.url ? await openDatabase({ url: fresh.url }) : fresh.db;
    try {
      const results = await Promise.all([migrate(fresh.db), migrate(second)]);
      assert.deepEqual(results.map((names) => names.length).sort(), [0, readMigrations().length]);
      assert.equal(Number((await fresh.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations'))[0]!.n), readMigrations().length);
    } finally {
      if (second !== fresh.db) await second.close();
      await fresh.drop();
    }
  });

  it('runs the migrations in one transaction: a failing one leaves nothing of it, nor of those before it, and nothing is recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-migrations-'));
    try {
      for (const migration of readMigrations()) writeFileSync(join(dir, migration.name), migration.sql);
      const broken = readMigrations().at(-1)!.version + 1;
      writeFileSync(join(dir, `${String(broken).padStart(3, '0')}_broken.sql`), 'CREATE TABLE half_done (x integer);\nSELECT no_such_function();\n');
      await assert.rejects(migrate(db, readMigrations(dir)), /no_such_function/);
      assert.equal(await count(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'half_done'`), 0);
      assert.equal(await count('SELECT count(*)::int AS n FROM schema_migrations WHERE version = $1', [broken]), 0);
      // On an empty database the good migrations before the broken one do not stay either.
      const fresh = await freshDatabase();
      try {
        await assert.rejects(migrate(fresh.db, readMigrations(dir)), /no_such_function/);
        const tables = await fresh.db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`);
        assert.deepEqual(tables, []);
        assert.deepEqual(await migrate(fresh.db), readMigrations().map((migration) => migration.name));
      } finally {
        await fresh.drop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to delete or truncate a sale', async () => {
    await db.query(`INSERT INTO machines (pos_id, password_hash, hmac_key) VALUES ('del-1', 'x', $1)`, ['0'.repeat(64)]);
    await db.query(
      `INSERT INTO sales (pos_id, reference, seq, sale_time, product, amount, currency, outcome)
       VALUES ('del-1', 'del-1-0001', 1, 0, 'cola', 2500, 'NOK', 'captured')`,
    );
    await assert.rejects(db.query(`DELETE FROM sales WHERE pos_id = 'del-1'`), /sales are never deleted/);
    await assert.rejects(db.query('TRUNCATE sales'), /sales are never deleted/);
    assert.equal(await count(`SELECT count(*)::int AS n FROM sales WHERE pos_id = 'del-1'`), 1);
  });

  it('checks what is cheap to check: currency, outcome, reference prefix, posId, key', async () => {
    const insertSale = (fields: Partial<Record<'reference' | 'currency' | 'outcome', string>>) =>
      db.query(
        `INSERT INTO sales (pos_id, reference, seq, sale_time, product, amount, currency, outcome)
         VALUES ('del-1', $1, 1, 0, 'cola', 2500, $2, $3)`,
        [fields.reference ?? 'del-1-0099', fields.currency ?? 'NOK', fields.outcome ?? 'captured'],
      );
    await assert.rejects(insertSale({ currency: 'SEK' }), /check/i);
    await assert.rejects(insertSale({ outcome: 'paid' }), /check/i);
    await assert.rejects(insertSale({ reference: 'other-0001' }), /check/i);
    await assert.rejects(db.query(`INSERT INTO machines (pos_id, password_hash, hmac_key) VALUES ('fleet', 'x', $1)`, ['0'.repeat(64)]), /check/i);
    await assert.rejects(db.query(`INSERT INTO machines (pos_id, password_hash, hmac_key) VALUES ('a/b', 'x', $1)`, ['0'.repeat(64)]), /check/i);
    await assert.rejects(db.query(`INSERT INTO machines (pos_id, password_hash, hmac_key) VALUES ('ok-1', 'x', 'short')`), /check/i);
    assert.equal(await count(`SELECT count(*)::int AS n FROM sales WHERE pos_id = 'del-1'`), 1);
  });

  it('rolls a transaction back when its body throws', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO machines (pos_id, password_hash, hmac_key) VALUES ('tx-1', 'x', $1)`, ['0'.repeat(64)]);
        throw new Error('stop');
      }),
      /stop/,
    );
    assert.equal(await count(`SELECT count(*)::int AS n FROM machines WHERE pos_id = 'tx-1'`), 0);
  });

  it('gives bigint and timestamps back as numbers and Dates on both databases', async () => {
    const [row] = await db.query<{ b: unknown; t: unknown; j: unknown }>(`SELECT 1765000000::bigint AS b, now() AS t, '{"a":1}'::jsonb AS j`);
    assert.equal(row!.b, 1765000000);
    assert.ok(row!.t instanceof Date);
    assert.deepEqual(row!.j, { a: 1 });
  });
});
