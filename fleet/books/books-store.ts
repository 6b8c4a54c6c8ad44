// Stores what the report said: each entry once (a re-read changes nothing), tied to the machine
// whose posId its reference starts with, and which dates are complete.
import type { Queryable } from '../database';
import { reportTimeMs, type ReportEntry, type ReportLedger, type Topic } from './report-reader';

export async function storeLedger(db: Queryable, ledger: ReportLedger): Promise<void> {
  await db.query(
    `INSERT INTO ledgers (ledger_id, currency) VALUES ($1, $2)
     ON CONFLICT (ledger_id) DO UPDATE SET currency = excluded.currency, read_at = now()`,
    [ledger.ledgerId, ledger.currency],
  );
}

/** Returns how many entries were new. */
export async function storeEntries(db: Queryable, ledgerId: string, topic: Topic, entries: ReportEntry[]): Promise<number> {
  let stored = 0;
  for (const e of entries) {
    // posIds may contain '-': the longest machine id the reference starts with, followed by '-'.
    const rows = await db.query(
      `INSERT INTO ledger_entries (ledger_id, topic, psp_reference, entry_type, reference, ledger_date, entry_time, amount, currency, balance_after, pos_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
         (SELECT pos_id FROM machines WHERE starts_with($5, pos_id || '-') ORDER BY length(pos_id) DESC LIMIT 1))
       ON CONFLICT (ledger_id, topic, psp_reference, entry_type) DO NOTHING RETURNING 1`,
      [ledgerId, topic, e.pspReference, e.entryType, e.reference ?? '', e.ledgerDate, new Date(reportTimeMs(e.time)), e.amount, e.currency, Number.isSafeInteger(e.balanceAfter) ? e.balanceAfter : null],
    );
    stored += rows.length;
  }
  return stored;
}

export async function markDate(db: Queryable, ledgerId: string, topic: Topic, ledgerDate: string, complete: boolean): Promise<void> {
  await db.query(
    `INSERT INTO ledger_dates (ledger_id, topic, ledger_date, complete) VALUES ($1, $2, $3, $4)
     ON CONFLICT (ledger_id, topic, ledger_date) DO UPDATE SET complete = excluded.complete, read_at = now()`,
    [ledgerId, topic, ledgerDate, complete],
  );
}

export async function isDateComplete(db: Queryable, ledgerId: string, topic: Topic, ledgerDate: string): Promise<boolean> {
  const rows = await db.query<{ complete: boolean }>('SELECT complete FROM ledger_dates WHERE ledger_id = $1 AND topic = $2 AND ledger_date = $3', [ledgerId, topic, ledgerDate]);
  return rows[0]?.complete === true;
}
