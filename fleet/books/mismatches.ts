// Where the machines' sales and the settlement report disagree, reference by reference: a capture
// the report lacks once its usual lag is over (and the report was read after that), a report entry no machine reported, an amount that
// differs (captured, or refunded). The fleet's side: sales with outcome 'captured' or 'refunded'
// (a refunded sale was captured, then refunded whole) and the refunds made from the page. The report is not the source of truth; this
// only says where to look.
import type { Queryable } from '../database';
import { booksSettings } from './books-settings';
import { PAGE_REFUNDS_SQL } from './page-refunds';

export type MismatchKind = 'missing-in-report' | 'not-reported' | 'amount-differs';

export interface Mismatch {
  kind: MismatchKind;
  /** The machine the reference belongs to; null when it names none. */
  posId: string | null;
  reference: string;
  currency: string;
  machineCaptured: number;
  reportCaptured: number;
  machineRefunded: number;
  reportRefunded: number;
  /** Since when it has been a mismatch (what the alert lag counts from). */
  since: Date;
}

/** The books look this many days back (by report date, and by when the fleet got the sale). */
export const WINDOW_DAYS = 35;

type Row = {
  reference: string; m_pos: string | null; l_pos: string | null; m_currency: string | null; l_currency: string | null;
  m_captured: number | null; m_refunded: number | null; l_captured: string | null; l_refunded: string | null;
  received_at: Date | null; updated_at: Date | null; first_time: Date | null; lagged: boolean; refund_lagged: boolean;
};

export async function findMismatches(db: Queryable): Promise<Mismatch[]> {
  const { reportLagS } = await booksSettings(db);
  const rows = await db.query<Row>(
    `WITH l AS (
       SELECT reference, min(pos_id) AS pos_id, min(currency) AS currency,
         coalesce(sum(amount) FILTER (WHERE entry_type = 'capture'), 0) AS captured,
         coalesce(-sum(amount) FILTER (WHERE entry_type = 'refund'), 0) AS refunded,
         min(entry_time) AS first_time
       FROM ledger_entries WHERE topic = 'funds' AND entry_type IN ('capture', 'refund') AND ledger_date >= current_date - $1::int
       GROUP BY reference),
     p AS (SELECT reference, sum(amount) AS amount FROM (${PAGE_REFUNDS_SQL}) page GROUP BY reference),
     m AS (
       SELECT pos_id, reference, currency, amount AS captured,
         CASE WHEN outcome = 'refunded' THEN amount ELSE 0 END + coalesce((SELECT amount FROM p WHERE p.reference = sales.reference), 0) AS refunded,
         received_at, updated_at
       FROM sales WHERE outcome IN ('captured', 'refunded')
         AND (received_at >= now() - make_interval(days => $1::int) OR reference IN (SELECT reference FROM l)))
     SELECT reference, m.pos_id AS m_pos, l.pos_id AS l_pos, m.currency AS m_currency, l.currency AS l_currency,
       m.captured AS m_captured, m.refunded AS m_refunded, l.captured AS l_captured, l.refunded AS l_refunded,
       m.received_at, m.updated_at, l.first_time,
       -- Lacking only once the report was read, for the sale's date, after the lag: not while the
       -- fleet has no keys or the service cannot be reached.
       coalesce(m.received_at < now() - make_interval(secs => $2) AND EXISTS (
         SELECT 1 FROM ledger_dates d WHERE d.topic = 'funds' AND d.ledger_date >= (m.received_at AT TIME ZONE 'UTC')::date
           AND d.read_at >= m.received_at + make_interval(secs => $2)), false) AS lagged,
       coalesce(m.updated_at < now() - make_interval(secs => $2) AND EXISTS (
         SELECT 1 FROM ledger_dates d WHERE d.topic = 'funds' AND d.read_at >= m.updated_at + make_interval(secs => $2)), false) AS refund_lagged
     FROM m FULL OUTER JOIN l USING (reference)
     ORDER BY coalesce(m.received_at, l.first_time), reference`,
    [WINDOW_DAYS, reportLagS],
  );
  const found: Mismatch[] = [];
  for (const r of rows) {
    const base = {
      posId: r.m_pos ?? r.l_pos, reference: r.reference, currency: (r.m_currency ?? r.l_currency)!,
      machineCaptured: Number(r.m_captured ?? 0), reportCaptured: Number(r.l_captured ?? 0), machineRefunded: Number(r.m_refunded ?? 0), reportRefunded: Number(r.l_refunded ?? 0),
    };
    const lagMs = reportLagS * 1000;
    if (r.m_pos === null) {
      found.push({ kind: 'not-reported', ...base, since: r.first_time! });
    } else if (r.first_time === null || base.reportCaptured === 0) {
      // Not in the report yet: only a mismatch once the report's usual lag is over.
      if (r.lagged) found.push({ kind: 'missing-in-report', ...base, since: new Date(r.received_at!.getTime() + lagMs) });
    } else if (base.machineCaptured !== base.reportCaptured || base.reportRefunded > base.machineRefunded) {
      found.push({ kind: 'amount-differs', ...base, since: latest(r.received_at!, r.first_time) });
    } else if (base.reportRefunded < base.machineRefunded && r.refund_lagged) {
      found.push({ kind: 'amount-differs', ...base, since: new Date(r.updated_at!.getTime() + lagMs) });
    }
  }
  return found;
}

function latest(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
