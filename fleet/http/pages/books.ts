// Books: per day and machine what the machines reported captured and refunded beside what the
// settlement report says (captured, refunded, fees), the day's payout, every mismatch, and CSV of
// both. The report trails by hours: a mismatch is listed at once, an alert only after the setting.
import { booksDays, type BooksDay, type MachineDay } from '../../books/books-days';
import { booksSettings, setBooksSettings } from '../../books/books-settings';
import { syncBooks } from '../../books/books-sync';
import { findMismatches } from '../../books/mismatches';
import type { Answer, PageContext } from '../context';
import { csv } from '../csv';
import { html, money, when } from '../html';
import { csrfField, notice, page } from '../layout';

const NO_MACHINE = '(no machine)';

function dayTotal(day: BooksDay): MachineDay {
  const total: MachineDay = { posId: null, machineCaptured: 0, machineRefunded: 0, reportCaptured: 0, reportRefunded: 0, fees: 0 };
  for (const m of day.machines) {
    total.machineCaptured += m.machineCaptured;
    total.machineRefunded += m.machineRefunded;
    total.reportCaptured += m.reportCaptured;
    total.reportRefunded += m.reportRefunded;
    total.fees += m.fees;
  }
  return total;
}

export async function booksPage(ctx: PageContext, message?: { text: string; kind: 'ok' | 'error' }): Promise<Answer> {
  const synced = ctx.url.searchParams.get('synced');
  const shown = message ?? (synced && /^\d{1,9}$/.test(synced) ? { text: `Report read: ${synced} new entries.`, kind: 'ok' as const } : undefined);
  const [days, mismatches, settings] = await Promise.all([booksDays(ctx.db), findMismatches(ctx.db), booksSettings(ctx.db)]);
  const cells = (m: MachineDay, currency: string) => html`<td class="num machine-captured">${money(m.machineCaptured, currency)}</td><td class="num machine-refunded">${money(m.machineRefunded, currency)}</td>
<td class="num report-captured">${money(m.reportCaptured, currency)}</td><td class="num report-refunded">${money(m.reportRefunded, currency)}</td><td class="num fees">${money(m.fees, currency)}</td>`;
  const body = html`${shown ? notice(shown.text, shown.kind) : ''}
<form method="post" action="/books/sync" class="filter">${csrfField(ctx.session)}<button${ctx.vipps ? '' : html` disabled title="The fleet has no merchant keys (EPAYMENT_*)"`}>Read the report now</button>
<a href="/books.csv" id="csv">CSV</a> <a href="/books.csv?what=mismatches" id="mismatches-csv">Mismatches CSV</a></form>
<h2>Per day and machine</h2>
<table id="books"><thead><tr><th>Day (UTC)</th><th>Machine</th><th>Captured (machines)</th><th>Refunded (machines and page)</th><th>Captured (report)</th><th>Refunded (report)</th><th>Fees</th><th>Payout</th></tr></thead><tbody>
${days.map((d) => html`${d.machines.map((m) => html`<tr data-day="${d.day}" data-machine="${m.posId ?? NO_MACHINE}" data-currency="${d.currency}"><td>${d.day}</td><td>${m.posId ?? NO_MACHINE}</td>${cells(m, d.currency)}<td></td></tr>`)}
<tr class="day-total" data-day="${d.day}" data-machine="all" data-currency="${d.currency}"><th>${d.day}</th><th>all</th>${cells(dayTotal(d), d.currency)}<td class="num payout">${money(d.payout, d.currency)}</td></tr>`)}
</tbody></table>
<h2>Mismatches</h2>
${mismatches.length ? html`<table id="mismatches"><thead><tr><th>Kind</th><th>Machine</th><th>Reference</th><th>Captured (machine / report)</th><th>Refunded (machine / report)</th><th>Since</th></tr></thead><tbody>
${mismatches.map((m) => html`<tr data-reference="${m.reference}" data-kind="${m.kind}"><td class="kind">${m.kind}</td><td>${m.posId ?? NO_MACHINE}</td><td>${m.reference}</td>
<td class="num">${money(m.machineCaptured, m.currency)} / ${money(m.reportCaptured, m.currency)}</td><td class="num">${money(m.machineRefunded, m.currency)} / ${money(m.reportRefunded, m.currency)}</td><td>${when(m.since)}</td></tr>`)}
</tbody></table>` : html`<p id="mismatches">None.</p>`}
<h2>Settings</h2>
<form method="post" action="/books/settings">${csrfField(ctx.session)}
<label>the report usually trails a capture by up to <input type="number" name="reportLagMinutes" min="0" max="10080" value="${Math.round(settings.reportLagS / 60)}"> minutes</label><br>
<label>a mismatch becomes an alert after <input type="number" name="alertAfterHours" min="0" max="720" value="${Math.round(settings.alertAfterS / 3600)}"> hours</label><br>
<button>Save</button></form>`;
  return { kind: 'html', status: shown?.kind === 'error' ? 400 : 200, body: page('Books', body, ctx.session, '/books') };
}

export async function readReportNow(ctx: PageContext): Promise<Answer> {
  if (!ctx.vipps) return booksPage(ctx, { text: 'The fleet has no merchant keys (EPAYMENT_*): it cannot read the report.', kind: 'error' });
  try {
    const result = await syncBooks(ctx.db, ctx.vipps);
    ctx.log(`page: operator ${ctx.session.operator} read the report: ${result.newEntries} new entries`);
    return { kind: 'redirect', location: `/books?synced=${result.newEntries}` };
  } catch (error) {
    ctx.log(`page: reading the report failed: ${(error as Error).message}`);
    return booksPage(ctx, { text: 'The report could not be read now; the server log says why.', kind: 'error' });
  }
}

export async function setBooksSettingsFromPage(ctx: PageContext): Promise<Answer> {
  const read = (name: string, max: number): number | undefined => {
    const value = ctx.form.get(name) ?? '';
    return /^\d{1,5}$/.test(value) && Number(value) <= max ? Number(value) : undefined;
  };
  const lag = read('reportLagMinutes', 10_080);
  const after = read('alertAfterHours', 720);
  if (lag === undefined || after === undefined) return booksPage(ctx, { text: 'Each must be a whole number in its range.', kind: 'error' });
  await setBooksSettings(ctx.db, { reportLagS: lag * 60, alertAfterS: after * 3600 });
  return { kind: 'redirect', location: '/books' };
}

export async function booksCsv(ctx: PageContext): Promise<Answer> {
  if (ctx.url.searchParams.get('what') === 'mismatches') {
    const rows = await findMismatches(ctx.db);
    const body = csv(
      ['kind', 'machine', 'reference', 'currency', 'machine_captured_minor', 'report_captured_minor', 'machine_refunded_minor', 'report_refunded_minor', 'since_utc'],
      rows.map((m) => [[m.kind, true], [m.posId ?? '', true], [m.reference, true], [m.currency, true], [m.machineCaptured, false], [m.reportCaptured, false], [m.machineRefunded, false], [m.reportRefunded, false], [m.since.toISOString(), false]]),
    );
    return { kind: 'file', type: 'text/csv; charset=utf-8', name: 'books-mismatches.csv', body };
  }
  const line = (day: BooksDay, machine: string, m: MachineDay, payout: number | ''): Array<[unknown, boolean]> => [
    [day.day, false], [day.currency, true], [machine, true], [m.machineCaptured, false], [m.machineRefunded, false], [m.reportCaptured, false], [m.reportRefunded, false], [m.fees, false], [payout, false],
  ];
  const rows = (await booksDays(ctx.db)).flatMap((d) => [...d.machines.map((m) => line(d, m.posId ?? NO_MACHINE, m, '')), line(d, 'all', dayTotal(d), d.payout)]);
  const body = csv(['day_utc', 'currency', 'machine', 'machine_captured_minor', 'machine_refunded_minor', 'report_captured_minor', 'report_refunded_minor', 'fees_minor', 'payout_minor'], rows);
  return { kind: 'file', type: 'text/csv; charset=utf-8', name: 'books.csv', body };
}
