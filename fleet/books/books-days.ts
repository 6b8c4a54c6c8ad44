// The books per day and machine: what the machines reported captured and refunded (by the day of
// the sale, UTC; a refund from the page by its own day), beside what the report says for that ledger date: captured, refunded, the fees;
// and per day and currency the payout. The payout is the ledger's, not a machine's.
import type { Queryable } from '../database';
import { WINDOW_DAYS } from './mismatches';
import { PAGE_REFUNDS_SQL } from './page-refunds';

export interface MachineDay {
  /** null: report entries whose reference names no machine. */
  posId: string | null;
  machineCaptured: number;
  machineRefunded: number;
  reportCaptured: number;
  reportRefunded: number;
  fees: number;
}

export interface BooksDay {
  day: string;
  currency: string;
  machines: MachineDay[];
  payout: number;
}

const SALE_DAY = `to_char((CASE WHEN sale_time > 0 THEN to_timestamp(sale_time) ELSE received_at END) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

export async function booksDays(db: Queryable): Promise<BooksDay[]> {
  const [sales, pageRefunds, report, payouts] = await Promise.all([
    db.query<{ day: string; pos_id: string; currency: string; captured: string; refunded: string }>(
      `SELECT ${SALE_DAY} AS day, pos_id, currency, sum(amount) AS captured, coalesce(sum(amount) FILTER (WHERE outcome = 'refunded'), 0) AS refunded
       FROM sales WHERE outcome IN ('captured', 'refunded') AND received_at >= now() - make_interval(days => $1::int)
       GROUP BY 1, 2, 3`,
      [WINDOW_DAYS],
    ),
    db.query<{ day: string; pos_id: string; currency: string; amount: string }>(
      `SELECT day, pos_id, currency, sum(amount) AS amount FROM (${PAGE_REFUNDS_SQL}) page WHERE day >= to_char(current_date - $1::int, 'YYYY-MM-DD') GROUP BY 1, 2, 3`,
      [WINDOW_DAYS],
    ),
    db.query<{ day: string; pos_id: string | null; currency: string; captured: string; refunded: string; fees: string }>(
      `SELECT to_char(ledger_date, 'YYYY-MM-DD') AS day, pos_id, currency,
         coalesce(sum(amount) FILTER (WHERE topic = 'funds' AND entry_type = 'capture'), 0) AS captured,
         coalesce(-sum(amount) FILTER (WHERE topic = 'funds' AND entry_type = 'refund'), 0) AS refunded,
         coalesce(sum(amount) FILTER (WHERE topic = 'fees' AND entry_type = 'capture-fee'), 0) AS fees
       FROM ledger_entries WHERE entry_type IN ('capture', 'refund', 'capture-fee') AND ledger_date >= current_date - $1::int
       GROUP BY 1, 2, 3`,
      [WINDOW_DAYS],
    ),
    db.query<{ day: string; currency: string; payout: string }>(
      `SELECT to_char(ledger_date, 'YYYY-MM-DD') AS day, currency, -sum(amount) AS payout
       FROM ledger_entries WHERE topic = 'funds' AND entry_type = 'payout-scheduled' AND ledger_date >= current_date - $1::int
       GROUP BY 1, 2`,
      [WINDOW_DAYS],
    ),
  ]);
  const days = new Map<string, BooksDay>();
  const dayOf = (day: string, currency: string): BooksDay => {
    const key = `${day} ${currency}`;
    let found = days.get(key);
    if (!found) days.set(key, (found = { day, currency, machines: [], payout: 0 }));
    return found;
  };
  const machineOf = (day: BooksDay, posId: string | null): MachineDay => {
    let found = day.machines.find((m) => m.posId === posId);
    if (!found) day.machines.push((found = { posId, machineCaptured: 0, machineRefunded: 0, reportCaptured: 0, reportRefunded: 0, fees: 0 }));
    return found;
  };
  for (const s of sales) {
    const m = machineOf(dayOf(s.day, s.currency), s.pos_id);
    m.machineCaptured += Number(s.captured);
    m.machineRefunded += Number(s.refunded);
  }
  for (const r of pageRefunds) machineOf(dayOf(r.day, r.currency), r.pos_id).machineRefunded += Number(r.amount);
  for (const r of report) {
    const m = machineOf(dayOf(r.day, r.currency), r.pos_id);
    m.reportCaptured += Number(r.captured);
    m.reportRefunded += Number(r.refunded);
    m.fees += Number(r.fees);
  }
  for (const p of payouts) dayOf(p.day, p.currency).payout += Number(p.payout);
  for (const day of days.values()) day.machines.sort((a, b) => (a.posId ?? '\uffff').localeCompare(b.posId ?? '\uffff'));
  return [...days.values()].sort((a, b) => b.day.localeCompare(a.day) || a.currency.localeCompare(b.currency));
}
