// Ledger dates: in the emulator a ledger date runs from midnight to midnight UTC (the real service
// uses the merchant's own time zone, or another cut-off). Times are shown as the guide writes them:
// microseconds and an offset without a colon ('2026-12-07T10:21:54.141000+0000').
export const DAY_MS = 86_400_000;

export function ledgerDateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start of a ledger date in ms, or undefined when the text is not a real yyyy-MM-dd date. */
export function ledgerDateStart(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) || ledgerDateOf(ms) !== date ? undefined : ms;
}

export function reportTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000+0000`;
}
