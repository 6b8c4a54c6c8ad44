// Catalog edits from the page (docs/fleet-protocol.md, down/config): checked with the machine's own
// code on a stand-in made from its last up/catalog, stored as a pending version, sent signed, sent
// again after each hello while pending; the machine's up/ack (ingest.ts) makes it applied or refused.
// A newer edit supersedes any older one still pending.
import type { MqttClient } from 'mqtt';
import { applyCatalogEdit, standInConfig, type CatalogEntry } from 'app/config/catalog-edit';
import { ConfigError } from 'app/config/validate';
import type { Database, Queryable } from './database';
import { lastCatalog } from './catalog-message';
import { signDown } from './signing';

export type Publisher = Pick<MqttClient, 'publishAsync'>;

export type Proposed = { ok: true; id: number } | { ok: false; reason: string };

/** Checks the edit (every product of the last reported catalog, editable fields only) and stores it pending. */
export async function proposeCatalogEdit(db: Database, posId: string, products: CatalogEntry[], operatorId: number | null): Promise<Proposed> {
  const catalog = await lastCatalog(db, posId);
  if (!catalog) return { ok: false, reason: 'the machine has not reported its catalog yet' };
  try {
    const standIn = standInConfig({ posId, languages: catalog.languages, currency: catalog.currency, products: catalog.products });
    applyCatalogEdit(standIn, products);
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, reason: error.message };
    throw error;
  }
  const id = await db.transaction(async (tx) => {
    const rows = await tx.query<{ id: number }>(
      'INSERT INTO config_versions (pos_id, products, operator_id) VALUES ($1, $2, $3) RETURNING id',
      [posId, JSON.stringify(products), operatorId],
    );
    const newest = rows[0]!.id;
    // The newest edit holds the whole catalog: older ones still pending must never be sent again.
    await tx.query(
      `UPDATE config_versions SET state = 'superseded', reason = $3 WHERE pos_id = $1 AND state = 'pending' AND id < $2`,
      [posId, newest, `replaced by version ${newest} before the machine answered`],
    );
    return newest;
  });
  return { ok: true, id };
}

async function send(db: Queryable, client: Publisher, posId: string, key: string, id: number, products: unknown): Promise<void> {
  const topic = `vend/${posId}/down/config`;
  await client.publishAsync(topic, signDown(key, topic, { id: String(id), products }), { qos: 0 });
  await db.query('UPDATE config_versions SET sent_at = now() WHERE id = $1', [id]);
}

/** Sends one version now (just proposed). */
export async function sendConfigVersion(db: Database, client: Publisher, id: number): Promise<void> {
  const rows = await db.query<{ pos_id: string; products: unknown; hmac_key: string }>(
    `SELECT v.pos_id, v.products, m.hmac_key FROM config_versions v JOIN machines m USING (pos_id)
     WHERE v.id = $1 AND v.state = 'pending'`,
    [id],
  );
  const row = rows[0];
  if (row) await send(db, client, row.pos_id, row.hmac_key, id, row.products);
}

/** After a hello: the version of the machine still pending (at most one: newer ones supersede older). */
export async function resendPending(db: Queryable, client: Publisher, posId: string, key: string): Promise<number> {
  const rows = await db.query<{ id: number; products: unknown }>(
    `SELECT id, products FROM config_versions WHERE pos_id = $1 AND state = 'pending' ORDER BY id`,
    [posId],
  );
  for (const row of rows) await send(db, client, posId, key, row.id, row.products);
  return rows.length;
}
