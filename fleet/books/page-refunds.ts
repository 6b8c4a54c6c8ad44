// Refunds made from the operator's page (migration 004's `refunds`) count as refunded on the
// fleet's side, beside sales a machine reported as 'refunded'. Only those the service took.
/** SQL of (pos_id, reference, currency, amount, day) per refund in state 'done'. */
export const PAGE_REFUNDS_SQL = `SELECT pos_id, reference, currency, amount::bigint AS amount,
    to_char(coalesce(answered_at, requested_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
    FROM refunds WHERE state = 'done'`;
