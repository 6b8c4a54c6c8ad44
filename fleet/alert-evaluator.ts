// The server's own alerts, checked every few seconds: 'offline' (a machine seen before has been
// offline longer than the setting), 'no-sale' (online and in service without a sale for that long),
// 'queue-growing' (its queue grew in each of the last N heartbeats). Each opens once and closes when
// its condition is gone; with an alert URL, each opening and closing of any alert (the machines'
// own too) is POSTed there as JSON until it is taken (2xx).
import { evaluateBooksAlerts } from './books/books-alerts';
import type { Database } from './database';
import { every } from './every';

export interface AlertEvaluatorOptions {
  db: Database;
  everyMs: number;
  /** FLEET_ALERT_URL: where each alert change is POSTed. */
  alertUrl?: string;
  log?: (line: string) => void;
}

export interface AlertEvaluator {
  /** One round now (tests; the timer calls it too). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

type Settings = { offline_after_s: number; no_sale_after_s: number; queue_growing_beats: number };

async function open(db: Database, posId: string, kind: string, detail: string): Promise<void> {
  await db.query(
    `INSERT INTO alerts (pos_id, kind, detail, source) VALUES ($1, $2, $3, 'server')
     ON CONFLICT (pos_id, kind) WHERE closed_at IS NULL DO NOTHING`,
    [posId, kind, detail],
  );
}

async function close(db: Database, posId: string, kind: string): Promise<void> {
  await db.query(`UPDATE alerts SET closed_at = greatest(now(), opened_at) WHERE pos_id = $1 AND kind = $2 AND closed_at IS NULL AND source = 'server'`, [posId, kind]);
}

export async function evaluateAlerts(db: Database): Promise<void> {
  const s = (await db.query<Settings>('SELECT offline_after_s, no_sale_after_s, queue_growing_beats FROM alert_settings'))[0]!;
  const machines = await db.query<{ pos_id: string; offline_too_long: boolean; no_sale: boolean; last_seen: Date | null }>(
    `SELECT m.pos_id, m.last_seen,
       (NOT m.online AND m.last_seen IS NOT NULL AND m.last_seen < now() - make_interval(secs => $1)) AS offline_too_long,
       (m.online AND coalesce(m.in_service, true) AND
        greatest(m.online_since, (SELECT max(received_at) FROM sales WHERE pos_id = m.pos_id)) < now() - make_interval(secs => $2)) AS no_sale
     FROM machines m`,
    [s.offline_after_s, s.no_sale_after_s],
  );
  for (const m of machines) {
    if (m.offline_too_long) await open(db, m.pos_id, 'offline', `offline since ${m.last_seen!.toISOString()}`);
    else await close(db, m.pos_id, 'offline');
    if (m.no_sale) await open(db, m.pos_id, 'no-sale', `no sale for ${Math.round(s.no_sale_after_s / 60)} minutes`);
    else await close(db, m.pos_id, 'no-sale');
    const beats = await db.query<{ queue: number | null }>(
      `SELECT (fields->>'queue')::int AS queue FROM heartbeats WHERE pos_id = $1 ORDER BY received_at DESC LIMIT $2`,
      [m.pos_id, s.queue_growing_beats + 1],
    );
    const queues = beats.map((b) => b.queue ?? 0).reverse();
    const growing = queues.length === s.queue_growing_beats + 1 && queues.every((q, i) => i === 0 || q > queues[i - 1]!);
    if (growing) await open(db, m.pos_id, 'queue-growing', `queue ${queues.join(' → ')}`);
    else if (queues.length >= 2 && queues.at(-1)! <= queues.at(-2)!) await close(db, m.pos_id, 'queue-growing');
  }
  // 'books-mismatch': the machines' sales and the settlement report disagree for longer than the setting.
  await evaluateBooksAlerts(db);
}

type Change = { id: number; pos_id: string; kind: string; detail: string; source: string; opened_at: Date; closed_at: Date | null; notified: string };

/** POSTs each alert change not yet taken; stops at the first refusal (tried again next round). */
export async function notifyAlerts(db: Database, url: string): Promise<number> {
  const changes = await db.query<Change>(
    `SELECT id, pos_id, kind, detail, source, opened_at, closed_at, notified FROM alerts
     WHERE notified <> CASE WHEN closed_at IS NULL THEN 'open' ELSE 'closed' END ORDER BY id LIMIT 50`,
  );
  let sent = 0;
  for (const a of changes) {
    // Each change once, in order: the opening (if not told yet), then the closing (if closed).
    const events: Array<'open' | 'closed'> = a.notified === 'none' ? ['open'] : [];
    if (a.closed_at !== null) events.push('closed');
    for (const event of events) {
      const body = {
        id: a.id, posId: a.pos_id, kind: a.kind, detail: a.detail, source: a.source, open: event === 'open',
        openedAt: a.opened_at.toISOString(), closedAt: event === 'closed' ? a.closed_at!.toISOString() : null,
      };
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000), redirect: 'error' });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`the alert URL answered ${response.status}`);
      await db.query('UPDATE alerts SET notified = $2 WHERE id = $1', [a.id, event]);
      sent++;
    }
  }
  return sent;
}

export function startAlertEvaluator(options: AlertEvaluatorOptions): AlertEvaluator {
  const log = options.log ?? (() => {});
  const job = every(options.everyMs, async (): Promise<void> => {
    try {
      await evaluateAlerts(options.db);
    } catch (error) {
      log(`alerts: cannot evaluate: ${(error as Error).message}`);
    }
    if (options.alertUrl) {
      try {
        await notifyAlerts(options.db, options.alertUrl);
      } catch (error) {
        log(`alerts: cannot notify: ${(error as Error).message}`);
      }
    }
  });
  return { tick: async () => { await job.tick(); }, close: () => job.close() };
}
