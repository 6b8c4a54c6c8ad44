// Refunds made from the operator's page (the `refunds` table of the webhooks-and-refunds migration)
// count as refunded on the fleet's side, beside sales a machine reported as 'refunded'. The books
// do not depend on that migration: without the table this is a subquery of no rows.
import type { Queryable } from '../database';

/** SQL of (pos_id, reference, currency, amount, day) per refund the service took ('done'). */
export async function pageRefundsSql(db: Queryable): Promise<string> {
  const present = (await db.query<{ present: boolean }>(`SELECT to_regclass('refunds') IS NOT NULL AS present`))[0]!.present;
  if (!present) return `SELECT NULL::text AS pos_id, NULL::text AS reference, NULL::text AS currency, 0::bigint AS amount, NULL::text AS day WHERE false`;
  return `SELECT pos_id, reference, currency, amount::bigint AS amount,
    to_char(coalesce(answered_at, requested_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
    FROM refunds WHERE state = 'done'`;
}
