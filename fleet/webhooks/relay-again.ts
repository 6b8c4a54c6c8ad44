// The work after the 2xx, done again when it did not happen: an event stored but not relayed (the
// fleet stopped between its answer and the relay, or the broker was away) goes down while a
// machine may still be waiting on that payment (its QR lives 10 minutes). Still only a hint: the
// machine drops a push for any payment but the one it polls, and confirms that one with a GET.
import type { Publisher } from '../config-versions';
import type { Queryable } from '../database';
import type { EventName } from './events';
import { relayEvent } from './relay';

/** Older events are no use to a machine: the payment they name is over by then. */
export const RELAY_AGAIN_WITHIN_SECONDS = 600;
/** Younger rows may be the receiver's own relay, still under way. */
const SETTLE_SECONDS = 5;

/** Relays what is owed; returns how many went down. */
export async function relayOwed(db: Queryable, publisher: Publisher, log: (line: string) => void): Promise<number> {
  const owed = await db.query<{ id: number; reference: string; name: EventName }>(
    `SELECT id, reference, name FROM webhook_events
      WHERE (relay IS NULL OR relay = 'failed')
        AND received_at > now() - make_interval(secs => $1) AND received_at <= now() - make_interval(secs => $2)
      ORDER BY id`,
    [RELAY_AGAIN_WITHIN_SECONDS, SETTLE_SECONDS],
  );
  let relayed = 0;
  for (const row of owed) {
    if ((await relayEvent(db, publisher, row.id, row, log)) === 'relayed') relayed += 1;
  }
  if (owed.length > 0) log(`webhooks: relayed ${relayed} of ${owed.length} event(s) stored but not relayed before`);
  return relayed;
}
