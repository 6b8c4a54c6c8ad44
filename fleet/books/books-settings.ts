// The books' two settings (one row in books_settings).
import type { Queryable } from '../database';

export interface BooksSettings {
  /** How long the report usually trails a capture: a capture it lacks for longer is a mismatch. */
  reportLagS: number;
  /** How long a mismatch stands before it becomes an alert. */
  alertAfterS: number;
}

export async function booksSettings(db: Queryable): Promise<BooksSettings> {
  const row = (await db.query<{ report_lag_s: number; alert_after_s: number }>('SELECT report_lag_s, alert_after_s FROM books_settings'))[0]!;
  return { reportLagS: row.report_lag_s, alertAfterS: row.alert_after_s };
}

export async function setBooksSettings(db: Queryable, settings: BooksSettings): Promise<void> {
  await db.query('UPDATE books_settings SET report_lag_s = $1, alert_after_s = $2', [settings.reportLagS, settings.alertAfterS]);
}
