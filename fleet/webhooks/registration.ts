// At start: exactly one registration of our URL for our events, whose secret we hold. The service
// lists registrations without their secrets, so one we have no secret for (lost database, another
// process) is deleted and made again; one with fewer events than we want likewise (there is no
// update). Running this twice changes nothing the second time, and two runs at once (two fleet
// servers on one PostgreSQL, or two callers in one process) take turns, so never two for one URL.
import type { Database, Queryable } from '../database';
import type { VippsClient } from '../vipps/client';

export const WEBHOOK_EVENTS = [
  'epayments.payment.authorized.v1',
  'epayments.payment.aborted.v1',
  'epayments.payment.expired.v1',
  'epayments.payment.cancelled.v1',
  'epayments.payment.terminated.v1',
  'epayments.payment.captured.v1',
  'epayments.payment.refunded.v1',
] as const;

const BASE = '/webhooks/v1/webhooks';

interface Listed { id: string; url: string; events: string[] }

export type Registration = { kind: 'kept' | 'registered'; id: string; deleted: string[] };

async function listed(vipps: VippsClient): Promise<Listed[]> {
  const answer = await vipps.call('GET', BASE);
  const hooks = (answer.body as { webhooks?: unknown } | undefined)?.webhooks;
  if (answer.status !== 200 || !Array.isArray(hooks)) throw new Error(`listing webhooks: HTTP ${answer.status}`);
  return hooks.filter((h): h is Listed => typeof h?.id === 'string' && typeof h?.url === 'string' && Array.isArray(h?.events));
}

// 'vhok' in ASCII: shared by every fleet server process, distinct from the migrations' lock.
const REGISTRATION_LOCK = 0x76686f6b;
const turns = new WeakMap<Database, Promise<unknown>>();

export function ensureRegistration(db: Database, vipps: VippsClient, url: string, events: readonly string[] = WEBHOOK_EVENTS): Promise<Registration> {
  // PostgreSQL: a transaction holding an advisory lock on its own connection, so the other
  // connections go on. PGlite is one connection owned by one process: queueing in-process is enough
  // and does not hold the database while the service answers.
  const run = (): Promise<Registration> =>
    db.kind === 'postgres'
      ? db.transaction(async (tx) => {
          await tx.query('SELECT pg_advisory_xact_lock($1)', [REGISTRATION_LOCK]);
          return register(tx, vipps, url, events);
        })
      : register(db, vipps, url, events);
  const previous = turns.get(db) ?? Promise.resolve();
  const result = previous.then(run, run);
  turns.set(db, result.catch(() => {}));
  return result;
}

async function register(db: Queryable, vipps: VippsClient, url: string, events: readonly string[]): Promise<Registration> {
  const ours = (await listed(vipps)).filter((hook) => hook.url === url);
  const held = await db.query<{ id: string }>('SELECT id FROM webhook_registrations WHERE url = $1', [url]);
  const keep = ours.length === 1 && held[0]?.id === ours[0]!.id && events.every((event) => ours[0]!.events.includes(event));
  if (keep) return { kind: 'kept', id: ours[0]!.id, deleted: [] };

  const deleted: string[] = [];
  for (const hook of ours) {
    const answer = await vipps.call('DELETE', `${BASE}/${encodeURIComponent(hook.id)}`);
    if (answer.status !== 204 && answer.status !== 200 && answer.status !== 404) throw new Error(`deleting webhook ${hook.id}: HTTP ${answer.status}`);
    deleted.push(hook.id);
  }
  await db.query('DELETE FROM webhook_registrations WHERE url = $1', [url]);
  const answer = await vipps.call('POST', BASE, { body: { url, events } });
  const made = answer.body as { id?: unknown; secret?: unknown } | undefined;
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`registering webhook: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
  if (typeof made?.id !== 'string' || typeof made.secret !== 'string') throw new Error('registering webhook: no id or secret in the answer');
  await db.query('INSERT INTO webhook_registrations (id, url, events, secret) VALUES ($1, $2, $3, $4)', [made.id, url, JSON.stringify(events), made.secret]);
  return { kind: 'registered', id: made.id, deleted };
}
