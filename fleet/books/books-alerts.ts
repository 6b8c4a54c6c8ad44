// A machine's books mismatch becomes an alert ('books-mismatch') only once it has stood for the
// alert lag: the report trails by hours and most differences heal themselves. It closes when the
// machine has no mismatch that old any more. Report entries that name no machine cannot be a
// machine's alert; the Books page lists them.
import type { Queryable } from '../database';
import { booksSettings } from './books-settings';
import { findMismatches } from './mismatches';

export async function evaluateBooksAlerts(db: Queryable, now = Date.now()): Promise<void> {
  const { alertAfterS } = await booksSettings(db);
  const aged = (await findMismatches(db)).filter((m) => m.posId !== null && m.since.getTime() <= now - alertAfterS * 1000);
  const byMachine = new Map<string, typeof aged>();
  for (const m of aged) byMachine.set(m.posId!, [...(byMachine.get(m.posId!) ?? []), m]);
  for (const [posId, list] of byMachine) {
    const detail = `${list.length} books mismatch${list.length === 1 ? '' : 'es'}, first ${list[0]!.kind} ${list[0]!.reference}`;
    await db.query(
      `INSERT INTO alerts (pos_id, kind, detail, source) VALUES ($1, 'books-mismatch', $2, 'server')
       ON CONFLICT (pos_id, kind) WHERE closed_at IS NULL DO NOTHING`,
      [posId, detail],
    );
  }
  await db.query(
    `UPDATE alerts SET closed_at = greatest(now(), opened_at)
     WHERE kind = 'books-mismatch' AND closed_at IS NULL AND source = 'server' AND NOT (pos_id = ANY($1::text[]))`,
    [[...byMachine.keys()]],
  );
}
