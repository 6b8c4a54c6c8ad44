// Keeps the books' copy of the report up to date: every ledger, each recent date's funds and fees,
// skipping dates already complete. From lookbackDays ago it reads forward until the service says a
// date has not begun (404): the service's clock, not the fleet's, decides where the report ends.
import type { Database } from '../database';
import type { VippsClient } from '../vipps/client';
import { isDateComplete, markDate, storeEntries, storeLedger } from './books-store';
import { readDate, readLedgers, type Topic } from './report-reader';
import { every } from '../every';

export interface SyncResult {
  ledgers: number;
  datesRead: number;
  /** Entries stored now for the first time. */
  newEntries: number;
}

export interface SyncOptions {
  /** How far back to look for dates not complete yet (default 7). */
  lookbackDays?: number;
  now?: () => number;
}

const DAY_MS = 86_400_000;
const TOPICS: Topic[] = ['funds', 'fees'];
/** Dates past the fleet's today that are still read while the service answers them. */
const AHEAD_DAYS = 31;

export async function syncBooks(db: Database, vipps: VippsClient, options: SyncOptions = {}): Promise<SyncResult> {
  const now = options.now?.() ?? Date.now();
  const first = Math.floor(now / DAY_MS) * DAY_MS - (options.lookbackDays ?? 7) * DAY_MS;
  const result: SyncResult = { ledgers: 0, datesRead: 0, newEntries: 0 };
  for (const ledger of await readLedgers(vipps)) {
    await storeLedger(db, ledger);
    result.ledgers++;
    for (const topic of TOPICS) {
      for (let day = first; day <= now + AHEAD_DAYS * DAY_MS; day += DAY_MS) {
        const date = new Date(day).toISOString().slice(0, 10);
        if (await isDateComplete(db, ledger.ledgerId, topic, date)) continue;
        const report = await readDate(vipps, ledger.ledgerId, topic, date);
        if (!report.available) break;
        result.datesRead++;
        // One transaction per date: its entries and its completeness together.
        result.newEntries += await db.transaction(async (tx) => {
          const stored = await storeEntries(tx, ledger.ledgerId, topic, report.items);
          await markDate(tx, ledger.ledgerId, topic, date, report.complete);
          return stored;
        });
      }
    }
  }
  // A machine added after its first sales were read: its entries are its own from now on.
  await db.query(
    `UPDATE ledger_entries e SET pos_id = (SELECT pos_id FROM machines WHERE starts_with(e.reference, pos_id || '-') ORDER BY length(pos_id) DESC LIMIT 1)
     WHERE e.pos_id IS NULL AND EXISTS (SELECT 1 FROM machines WHERE starts_with(e.reference, pos_id || '-'))`,
  );
  return result;
}

export interface BooksSync {
  /** One sync now (also what the timer runs); a second call while one runs waits for it. */
  tick(): Promise<SyncResult | undefined>;
  close(): Promise<void>;
}

export function startBooksSync(options: { db: Database; vipps: VippsClient; everyMs: number; log?: (line: string) => void } & SyncOptions): BooksSync {
  const log = options.log ?? (() => {});
  return every(options.everyMs, async (): Promise<SyncResult | undefined> => {
    try {
      const result = await syncBooks(options.db, options.vipps, options);
      if (result.newEntries > 0) log(`books: ${result.newEntries} new report entr${result.newEntries === 1 ? 'y' : 'ies'} from ${result.datesRead} date(s)`);
      return result;
    } catch (error) {
      log(`books: cannot read the report: ${(error as Error).message}`);
      return undefined;
    }
  });
}
