// A stored event that changes a payment's state goes down to the machine whose posId prefixes its
// reference, signed as every message down (docs/fleet-protocol.md, down/payment). A hint only: the
// machine confirms with a GET of its own before it releases anything.
import type { Publisher } from '../config-versions';
import type { Queryable } from '../database';
import { signDown } from '../signing';
import type { EventName, PaymentEvent } from './events';

/** What a machine waiting on a payment acts on; CREATED, CAPTURED and REFUNDED are the fleet's business. */
export const RELAYED_EVENTS: readonly EventName[] = ['AUTHORIZED', 'ABORTED', 'EXPIRED', 'CANCELLED', 'TERMINATED'];

export type RelayOutcome = 'relayed' | 'no-machine' | 'not-a-state-change' | 'failed';

/** The machine a reference belongs to; posIds may hold '-', so the longest prefix wins. */
export async function machineOfReference(db: Queryable, reference: string): Promise<{ pos_id: string; hmac_key: string } | undefined> {
  const rows = await db.query<{ pos_id: string; hmac_key: string }>(
    `SELECT pos_id, hmac_key FROM machines WHERE starts_with($1, pos_id || '-') ORDER BY length(pos_id) DESC LIMIT 1`,
    [reference],
  );
  return rows[0];
}

export async function relayEvent(db: Queryable, publisher: Publisher, id: number, event: Pick<PaymentEvent, 'reference' | 'name'>, log: (line: string) => void): Promise<RelayOutcome> {
  const machine = await machineOfReference(db, event.reference);
  let outcome: RelayOutcome;
  if (!machine) {
    outcome = 'no-machine';
    log(`webhooks: ${event.name} for ${event.reference} names no machine we know: stored, not relayed`);
  } else if (!RELAYED_EVENTS.includes(event.name)) {
    outcome = 'not-a-state-change';
  } else {
    const topic = `vend/${machine.pos_id}/down/payment`;
    try {
      await publisher.publishAsync(topic, signDown(machine.hmac_key, topic, { reference: event.reference, state: event.name }), { qos: 0 });
      outcome = 'relayed';
    } catch (error) {
      outcome = 'failed';
      log(`webhooks: relaying ${event.name} for ${event.reference} failed: ${(error as Error).message}`);
    }
  }
  await db.query(
    `UPDATE webhook_events SET pos_id = $2, relay = $3, relayed_at = CASE WHEN $3 = 'relayed' THEN now() END WHERE id = $1`,
    [id, machine?.pos_id ?? null, outcome],
  );
  return outcome;
}
