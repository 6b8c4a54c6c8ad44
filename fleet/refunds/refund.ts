// A refund of a captured sale, asked for by an operator on the page. The Idempotency-Key comes from
// the sale and the request id of the form the operator confirmed: the same confirmation sent twice
// (a double click, a reload) finds its row and refunds once. Never more than the service says was
// captured, less what is refunded or being refunded.
import { createHash } from 'node:crypto';
import type { Database, Queryable } from '../database';
import type { VippsClient } from '../vipps/client';

export interface RefundRequest {
  posId: string;
  reference: string;
  /** Minor units. */
  amount: number;
  reason: string;
  operatorId: number;
  operatorName: string;
  /** Made when the form was shown, carried through the confirmation. */
  requestId: string;
}

export type RefundRow = {
  id: number;
  pos_id: string;
  reference: string;
  idempotency_key: string;
  amount: number;
  currency: string;
  reason: string;
  operator_name: string;
  state: 'requested' | 'unanswered' | 'done' | 'refused';
  http_status: number | null;
  answer: string | null;
  requested_at: Date;
  answered_at: Date | null;
};

export type RefundResult =
  /** The service's answer to this request (done, refused by it, or no answer). */
  | { kind: 'sent'; refund: RefundRow }
  /** This confirmation was seen before: its row, nothing sent again. */
  | { kind: 'already'; refund: RefundRow }
  /** Refused here, the service not asked to refund. */
  | { kind: 'refused'; reason: string };

export const REQUEST_ID = /^[0-9a-f]{32}$/;
export const MAX_REASON = 200;

/** ≤ 50 characters, as the ePayment API allows. */
export function refundKey(posId: string, reference: string, requestId: string): string {
  return `refund-${createHash('sha256').update(`${posId}\n${reference}\n${requestId}`).digest('hex').slice(0, 40)}`;
}

export interface ServiceAmounts { captured: number; refunded: number; currency: string }

/** The payment's aggregate as the service has it now. */
export async function serviceAmounts(vipps: VippsClient, reference: string): Promise<ServiceAmounts | { error: string }> {
  const answer = await vipps.call('GET', `/epayment/v1/payments/${encodeURIComponent(reference)}`).catch((error: Error) => error);
  if (answer instanceof Error) return { error: `the service did not answer: ${answer.message}` };
  const aggregate = (answer.body as { aggregate?: { capturedAmount?: { value?: unknown; currency?: unknown }; refundedAmount?: { value?: unknown } } } | undefined)?.aggregate;
  const captured = aggregate?.capturedAmount?.value;
  const refunded = aggregate?.refundedAmount?.value;
  if (answer.status !== 200 || typeof captured !== 'number' || typeof refunded !== 'number') return { error: `the service answered HTTP ${answer.status} to reading the payment` };
  return { captured, refunded, currency: String(aggregate?.capturedAmount?.currency ?? '') };
}

export const refundsOf = (db: Queryable, posId: string, reference: string): Promise<RefundRow[]> =>
  db.query<RefundRow>('SELECT * FROM refunds WHERE pos_id = $1 AND reference = $2 ORDER BY id', [posId, reference]);

/** What ours add to the service's figure: done ones it may not show yet, and those without an answer. */
function oursInFlight(rows: RefundRow[]): { done: number; open: number } {
  const sum = (states: RefundRow['state'][]) => rows.filter((r) => states.includes(r.state)).reduce((total, r) => total + r.amount, 0);
  return { done: sum(['done']), open: sum(['requested', 'unanswered']) };
}

/** Captured less refunded (by anyone) less ours still open: what may still be refunded. */
export function refundable(service: ServiceAmounts, rows: RefundRow[]): number {
  const ours = oursInFlight(rows);
  return service.captured - Math.max(service.refunded, ours.done) - ours.open;
}

export async function refundSale(db: Database, vipps: VippsClient, request: RefundRequest, log: (line: string) => void): Promise<RefundResult> {
  const { posId, reference, amount } = request;
  const reason = request.reason.trim();
  if (!Number.isSafeInteger(amount) || amount <= 0) return { kind: 'refused', reason: 'the amount must be above zero' };
  if (reason.length === 0 || reason.length > MAX_REASON) return { kind: 'refused', reason: `a reason is needed (at most ${MAX_REASON} characters)` };
  if (!REQUEST_ID.test(request.requestId)) return { kind: 'refused', reason: 'the form is stale: open the refund page again' };
  const sale = (await db.query<{ currency: string; outcome: string }>('SELECT currency, outcome FROM sales WHERE pos_id = $1 AND reference = $2', [posId, reference]))[0];
  if (!sale) return { kind: 'refused', reason: 'there is no such sale' };
  if (sale.outcome !== 'captured' && sale.outcome !== 'refunded') return { kind: 'refused', reason: `only a captured sale can be refunded (this one is ${sale.outcome})` };

  const key = refundKey(posId, reference, request.requestId);
  const existing = (await db.query<RefundRow>('SELECT * FROM refunds WHERE idempotency_key = $1', [key]))[0];
  if (existing && existing.state !== 'unanswered') return { kind: 'already', refund: existing };
  // Unanswered: the service may or may not have done it; the same key makes asking again safe.
  if (existing) return { kind: 'sent', refund: await send(db, vipps, existing, log) };

  const service = await serviceAmounts(vipps, reference);
  if ('error' in service) return { kind: 'refused', reason: service.error };
  const decided = await db.transaction(async (tx): Promise<{ kind: 'new' | 'twin'; row: RefundRow } | { kind: 'over'; reason: string }> => {
    // One refund of a sale decided at a time: the row lock makes a second wait for the first's row.
    await tx.query('SELECT 1 FROM sales WHERE pos_id = $1 AND reference = $2 FOR UPDATE', [posId, reference]);
    const rows = await refundsOf(tx, posId, reference);
    // The same confirmation, a moment ahead of this one: its row, not a second refund.
    const twin = rows.find((r) => r.idempotency_key === key);
    if (twin) return { kind: 'twin', row: twin };
    const left = refundable(service, rows);
    if (amount > left) return { kind: 'over', reason: `at most ${left} (minor units) is left to refund: captured ${service.captured}, refunded ${service.captured - left}` };
    const inserted = await tx.query<RefundRow>(
      `INSERT INTO refunds (pos_id, reference, idempotency_key, amount, currency, reason, operator_id, operator_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [posId, reference, key, amount, sale.currency, reason, request.operatorId, request.operatorName],
    );
    return { kind: 'new', row: inserted[0]! };
  });
  if (decided.kind === 'over') return { kind: 'refused', reason: decided.reason };
  if (decided.kind === 'twin') return { kind: 'already', refund: decided.row };
  log(`refunds: ${request.operatorName} refunds ${amount} ${sale.currency} of ${reference}`);
  return { kind: 'sent', refund: await send(db, vipps, decided.row, log) };
}

async function send(db: Queryable, vipps: VippsClient, row: RefundRow, log: (line: string) => void): Promise<RefundRow> {
  const answer = await vipps
    .call('POST', `/epayment/v1/payments/${encodeURIComponent(row.reference)}/refund`, {
      headers: { 'Idempotency-Key': row.idempotency_key },
      body: { modificationAmount: { currency: row.currency, value: row.amount } },
    })
    .catch((error: Error) => error);
  const [state, status, text] = answer instanceof Error
    ? ['unanswered', null, answer.message]
    : [answer.status === 200 ? 'done' : answer.status >= 500 ? 'unanswered' : 'refused', answer.status, answer.text.slice(0, 4000)];
  if (state !== 'done') log(`refunds: refund ${row.id} of ${row.reference}: ${state} (${status ?? 'no answer'})`);
  const rows = await db.query<RefundRow>(
    'UPDATE refunds SET state = $2, http_status = $3, answer = $4, answered_at = now() WHERE id = $1 RETURNING *',
    [row.id, state, status, text],
  );
  return rows[0]!;
}
