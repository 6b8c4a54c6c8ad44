// The fleet server's MQTT client: subscribes to every machine's up topics, checks each message
// (messages.ts), stores what it says, and acknowledges stored sales with a signed down/ack. A
// message that fails a check is refused with one log line (topic and reason, never the payload)
// and changes nothing. Each machine's messages are handled one at a time, in arrival order, so a
// will and the hello after it cannot swap places; different machines' messages are handled side by
// side (the database pool's connections commit them together).
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { FLEET_USER } from './acl';
import { isCatalogTopic, parseCatalog, storeCatalog } from './catalog-message';
import { resendPending } from './config-versions';
import type { Database } from './database';
import { parseUp, type Alert, type ConfigAck, type Heartbeat, type Hello, type Sale } from './messages';
import { signDown } from './signing';

export interface IngestOptions {
  db: Database;
  mqttUrl: string;
  password: string;
  /** PEM of the CA that signed an mqtts:// broker's certificate. */
  ca?: string;
  log?: (line: string) => void;
  /** Called after each message: stored, or refused and why (tests wait on this). */
  onHandled?: (outcome: Outcome) => void;
}

export type Outcome = { topic: string; stored: true } | { topic: string; stored: false; reason: string };

export interface Ingest {
  client: MqttClient;
  /** Resolves when every message received so far has been handled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const UP_FILTER = 'vend/+/up/#';
const HEARTBEAT_FIELDS = ['t', 'screen', 'inService', 'reason', 'queue', 'pending', 'late', 'overdue', 'heap', 'rssi', 'seq', 'acked', 'lost'] as const;

class Refused extends Error {}

export async function startIngest(options: IngestOptions): Promise<Ingest> {
  const { db } = options;
  const log = options.log ?? (() => {});
  const connectOptions: IClientOptions = {
    username: FLEET_USER,
    password: options.password,
    clientId: `fleet-${randomBytes(6).toString('hex')}`,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(options.ca ? { ca: options.ca } : {}),
  };
  const client = await connectAsync(options.mqttUrl, connectOptions);
  client.on('error', (error) => log(`ingest: MQTT ${error.message}`));
  const granted = await client.subscribeAsync(UP_FILTER, { qos: 0 });
  if (granted.some((grant) => grant.qos === 128)) {
    await client.endAsync(true);
    throw new Error(`the broker refused the subscription to ${UP_FILTER}`);
  }

  const handlers = {
    async hello(posId: string, body: Hello) {
      await db.query(
        `UPDATE machines SET online = true, online_since = now(), last_seen = now(),
           firmware = $2, config_hash = $3, boot_count = $4 WHERE pos_id = $1`,
        [posId, body.fw, body.cfg, body.boot],
      );
    },
    async heartbeat(posId: string, body: Heartbeat) {
      const fields = Object.fromEntries(HEARTBEAT_FIELDS.filter((name) => body[name] !== undefined).map((name) => [name, body[name]]));
      await db.transaction(async (tx) => {
        await tx.query(
          `UPDATE machines SET last_seen = now(),
             online_since = CASE WHEN online THEN online_since ELSE now() END, online = true,
             screen = $2, in_service = $3, reason = $4, queue = $5, pending = $6, late = $7,
             overdue = $8, heap = $9, rssi = $10, seq = $11, acked = $12, lost = $13
           WHERE pos_id = $1`,
          [posId, body.screen, body.inService, body.reason ?? null, body.queue, body.pending, body.late, body.overdue, body.heap ?? null, body.rssi ?? null, body.seq, body.acked, body.lost ?? null],
        );
        await tx.query('INSERT INTO heartbeats (pos_id, fields) VALUES ($1, $2)', [posId, JSON.stringify(fields)]);
      });
    },
    async sale(posId: string, body: Sale, key: string) {
      // One statement, one commit: a resend (same seq) or an older event (lower seq) leaves the
      // row as it is; the machine's last_seen moves either way.
      await db.query(
        `WITH stored AS (
           INSERT INTO sales (pos_id, reference, seq, sale_time, product, amount, currency, outcome)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (pos_id, reference) DO UPDATE SET
             seq = excluded.seq, sale_time = excluded.sale_time, product = excluded.product,
             amount = excluded.amount, currency = excluded.currency, outcome = excluded.outcome,
             updated_at = now()
           WHERE sales.seq < excluded.seq
         )
         UPDATE machines SET last_seen = now() WHERE pos_id = $1`,
        [posId, body.reference, body.seq, body.time, body.product, body.amount, body.currency, body.outcome],
      );
      // Acknowledged whether new or already stored: the machine resends until it hears this.
      const topic = `vend/${posId}/down/ack`;
      await client.publishAsync(topic, signDown(key, topic, { seq: [body.seq] }), { qos: 0 });
    },
    async alert(posId: string, body: Alert) {
      if (body.open) {
        await db.query(
          `INSERT INTO alerts (pos_id, kind, detail) VALUES ($1, $2, $3)
           ON CONFLICT (pos_id, kind) WHERE closed_at IS NULL DO UPDATE SET detail = excluded.detail`,
          [posId, body.kind, body.detail],
        );
      } else {
        await db.query('UPDATE alerts SET closed_at = now() WHERE pos_id = $1 AND kind = $2 AND closed_at IS NULL', [posId, body.kind]);
      }
    },
    async ack(posId: string, body: ConfigAck) {
      if (!/^[1-9][0-9]{0,9}$/.test(body.id) || Number(body.id) > 2_147_483_647) throw new Refused('id is not a configuration version');
      const rows = await db.query(
        `UPDATE config_versions SET state = $3, reason = $4, applied_hash = $5
         WHERE id = $1 AND pos_id = $2 AND state = 'pending' RETURNING id`,
        [Number(body.id), posId, body.result, body.result === 'refused' ? (body.reason ?? null) : null, body.result === 'applied' ? (body.cfg ?? null) : null],
      );
      if (rows.length > 0) return;
      // A version superseded while on its way may still be answered: known, and it stays superseded.
      const superseded = await db.query(`SELECT 1 FROM config_versions WHERE id = $1 AND pos_id = $2 AND state = 'superseded'`, [Number(body.id), posId]);
      if (superseded.length === 0) throw new Refused(`no pending configuration ${body.id}`);
    },
    async will(posId: string) {
      await db.query('UPDATE machines SET online = false, online_since = NULL, last_seen = now() WHERE pos_id = $1', [posId]);
    },
  };

  async function handle(topic: string, payload: Buffer): Promise<Outcome> {
    if (isCatalogTopic(topic)) {
      const catalog = parseCatalog(topic, payload);
      if (!catalog.ok) return { topic, stored: false, reason: catalog.reason };
      const known = await db.query('SELECT 1 FROM machines WHERE pos_id = $1', [catalog.posId]);
      if (known.length === 0) return { topic, stored: false, reason: 'unknown machine' };
      await storeCatalog(db, catalog.posId, catalog.catalog);
      return { topic, stored: true };
    }
    const parsed = parseUp(topic, payload);
    if (!parsed.ok) return { topic, stored: false, reason: parsed.reason };
    const { message } = parsed;
    const machines = await db.query<{ hmac_key: string }>('SELECT hmac_key FROM machines WHERE pos_id = $1', [message.posId]);
    if (machines.length === 0) return { topic, stored: false, reason: 'unknown machine' };
    try {
      switch (message.kind) {
        case 'hello':
          await handlers.hello(message.posId, message.body);
          // Configuration versions still pending go again, now that the machine listens.
          await resendPending(db, client, message.posId, machines[0]!.hmac_key);
          break;
        case 'heartbeat': await handlers.heartbeat(message.posId, message.body); break;
        case 'sale': await handlers.sale(message.posId, message.body, machines[0]!.hmac_key); break;
        case 'alert': await handlers.alert(message.posId, message.body); break;
        case 'ack': await handlers.ack(message.posId, message.body); break;
        case 'will': await handlers.will(message.posId); break;
      }
    } catch (error) {
      if (error instanceof Refused) return { topic, stored: false, reason: error.message };
      throw error;
    }
    return { topic, stored: true };
  }

  // One chain per machine (by the topic's posId level): in order for each, side by side across them.
  const chains = new Map<string, Promise<void>>();
  const idle = async (): Promise<void> => {
    while (chains.size > 0) await Promise.all(chains.values());
  };
  client.on('message', (topic, payload) => {
    const machine = topic.split('/', 3)[1] ?? '';
    const chain: Promise<void> = (chains.get(machine) ?? Promise.resolve()).then(async () => {
      let outcome: Outcome;
      try {
        outcome = await handle(topic, payload);
      } catch (error) {
        // The database refused or went away: nothing acknowledged, the machine resends later.
        outcome = { topic, stored: false, reason: `error: ${(error as Error).message}` };
      }
      if (!outcome.stored) log(`ingest: refused ${topic.slice(0, 80)}: ${outcome.reason}`);
      options.onHandled?.(outcome);
    });
    chains.set(machine, chain);
    void chain.then(() => {
      if (chains.get(machine) === chain) chains.delete(machine);
    });
  });

  return {
    client,
    idle,
    async close() {
      await client.endAsync();
      await idle();
    },
  };
}
