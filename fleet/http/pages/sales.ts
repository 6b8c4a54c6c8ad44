// Sales: filtered by machine, product and day (UTC, by the machine's sale time), totals per
// currency of what was captured, and the same rows as CSV.
import type { Answer, PageContext } from '../context';
import { csv } from '../csv';
import { html, machineTime, money, when } from '../html';
import { page } from '../layout';
import { refundPath } from './refund';

const LIMIT = 1000;

type SaleRow = { pos_id: string; reference: string; sale_time: number; product: string; amount: number; currency: string; outcome: string; received_at: Date };

export interface SalesFilter { machine: string; product: string; day: string }

export function salesFilter(url: URL): SalesFilter {
  const machine = (url.searchParams.get('machine') ?? '').slice(0, 24);
  const product = (url.searchParams.get('product') ?? '').slice(0, 64);
  const day = url.searchParams.get('day') ?? '';
  return { machine, product, day: /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) ? day : '' };
}

function where(filter: SalesFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.machine) clauses.push(`pos_id = $${params.push(filter.machine)}`);
  if (filter.product) clauses.push(`product = $${params.push(filter.product)}`);
  if (filter.day) {
    const start = Date.parse(`${filter.day}T00:00:00Z`) / 1000;
    clauses.push(`sale_time >= $${params.push(start)} AND sale_time < $${params.push(start + 86_400)}`);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The page shows the newest LIMIT; the CSV export up to EXPORT_LIMIT. */
const EXPORT_LIMIT = 1_000_000;

export async function salesRows(ctx: PageContext, filter: SalesFilter, limit = LIMIT): Promise<SaleRow[]> {
  const { sql, params } = where(filter);
  params.push(limit);
  return ctx.db.query<SaleRow>(
    `SELECT pos_id, reference, sale_time, product, amount, currency, outcome, received_at FROM sales ${sql}
     ORDER BY sale_time DESC, received_at DESC LIMIT $${params.length}`,
    params,
  );
}

const query = (filter: SalesFilter): string => new URLSearchParams(Object.entries(filter).filter(([, v]) => v)).toString();

export async function salesPage(ctx: PageContext): Promise<Answer> {
  const filter = salesFilter(ctx.url);
  const { sql, params } = where(filter);
  const [rows, totals, machines] = await Promise.all([
    salesRows(ctx, filter),
    ctx.db.query<{ currency: string; n: number; total: number }>(
      `SELECT currency, count(*)::int AS n, sum(amount)::bigint AS total FROM sales ${sql ? `${sql} AND` : 'WHERE'} outcome = 'captured'
       GROUP BY currency ORDER BY currency`,
      params,
    ),
    ctx.db.query<{ pos_id: string }>('SELECT pos_id FROM machines ORDER BY pos_id'),
  ]);
  const body = html`<form method="get" action="/sales" class="filter">
<label>Machine <select name="machine"><option value="">all</option>${machines.map((m) => html`<option${m.pos_id === filter.machine ? html` selected` : ''}>${m.pos_id}</option>`)}</select></label>
<label>Product <input name="product" value="${filter.product}" size="12"></label>
<label>Day <input type="date" name="day" value="${filter.day}"></label>
<button>Show</button> <a href="/sales.csv?${query(filter)}" id="csv">CSV</a></form>
<h2>Captured</h2>
<table id="totals"><thead><tr><th>Currency</th><th>Sales</th><th>Total</th></tr></thead><tbody>
${totals.map((t) => html`<tr data-currency="${t.currency}"><td>${t.currency}</td><td class="num">${t.n}</td><td class="num total">${money(Number(t.total), t.currency)}</td></tr>`)}
</tbody></table>
<h2>Sales${rows.length === LIMIT ? html` (the newest ${LIMIT})` : ''}</h2>
<table id="sales"><thead><tr><th>Time</th><th>Machine</th><th>Reference</th><th>Product</th><th>Amount</th><th>Outcome</th><th>Received</th>${ctx.vipps ? html`<th>Refund</th>` : ''}</tr></thead><tbody>
${rows.map((s) => html`<tr data-reference="${s.reference}"><td>${machineTime(Number(s.sale_time))}</td><td>${s.pos_id}</td><td>${s.reference}</td><td class="product">${s.product}</td>
<td class="num">${money(s.amount, s.currency)}</td><td class="outcome">${s.outcome}</td><td>${when(s.received_at)}</td>${ctx.vipps ? html`<td>${s.outcome === 'captured' ? html`<a class="refund" href="${refundPath(s.pos_id, s.reference)}">Refund</a>` : ''}</td>` : ''}</tr>`)}
</tbody></table>`;
  return { kind: 'html', body: page('Sales', body, ctx.session, '/sales') };
}

export async function salesCsv(ctx: PageContext): Promise<Answer> {
  const rows = await salesRows(ctx, salesFilter(ctx.url), EXPORT_LIMIT);
  const body = csv(
    ['machine', 'reference', 'sale_time_utc', 'product', 'amount_minor', 'currency', 'outcome', 'received_utc'],
    rows.map((s) => [
      [s.pos_id, true], [s.reference, true], [Number(s.sale_time) > 0 ? new Date(Number(s.sale_time) * 1000).toISOString() : '', false],
      [s.product, true], [s.amount, false], [s.currency, true], [s.outcome, true], [s.received_at.toISOString(), false],
    ]),
  );
  return { kind: 'file', type: 'text/csv; charset=utf-8', name: 'sales.csv', body };
}
