// Refund of one sale in two steps: the form (amount, full by default, and a reason), then a page
// that repeats what will happen and asks for a confirmation. The form's request id goes through
// both steps and makes the refund's idempotency key (fleet/refunds/refund.ts).
import { randomBytes } from 'node:crypto';
import { MAX_REASON, REQUEST_ID, refundSale, refundable, refundsOf, serviceAmounts, type RefundRow, type ServiceAmounts } from '../../refunds/refund';
import type { Answer, PageContext } from '../context';
import { html, money, type Html } from '../html';
import { csrfField, notice, page } from '../layout';

type Sale = { pos_id: string; reference: string; product: string; amount: number; currency: string; outcome: string };

const REFUNDABLE_OUTCOMES = ['captured', 'refunded'];

export const refundPath = (posId: string, reference: string): string => `/sales/${encodeURIComponent(posId)}/${encodeURIComponent(reference)}/refund`;

const decimal = (minor: number): string => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

function parseAmount(text: string): number | undefined {
  const match = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  return match ? Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0')) : undefined;
}

async function saleOf(ctx: PageContext, posId: string, reference: string): Promise<Sale | undefined> {
  return (await ctx.db.query<Sale>('SELECT pos_id, reference, product, amount, currency, outcome FROM sales WHERE pos_id = $1 AND reference = $2', [posId, reference]))[0];
}

const STATE_TEXT: Record<RefundRow['state'], string> = {
  requested: 'sent, no answer yet',
  unanswered: 'no answer from the service: confirming again sends the same request',
  done: 'refunded',
  refused: 'refused by the service',
};

function refundTable(rows: RefundRow[]): Html {
  if (rows.length === 0) return html`<p>No refunds of this sale from the page.</p>`;
  return html`<table id="refunds"><thead><tr><th>Asked</th><th>By</th><th>Amount</th><th>Reason</th><th>State</th></tr></thead><tbody>
${rows.map((r) => html`<tr data-refund="${r.id}"><td>${r.requested_at.toISOString().slice(0, 19).replace('T', ' ')} UTC</td><td>${r.operator_name}</td>
<td class="num">${money(r.amount, r.currency)}</td><td>${r.reason}</td><td class="state">${STATE_TEXT[r.state]}${r.state === 'refused' && r.http_status ? ` (HTTP ${r.http_status})` : ''}</td></tr>`)}
</tbody></table>`;
}

function frame(ctx: PageContext, sale: Sale, body: Html, status = 200): Answer {
  const header = html`<p>Sale <strong>${sale.reference}</strong> of ${sale.pos_id}: ${sale.product}, ${money(sale.amount, sale.currency)}, ${sale.outcome}.</p>`;
  return { kind: 'html', status, body: page('Refund', html`${header}${body}<p><a href="/sales?machine=${sale.pos_id}">Back to the sales</a></p>`, ctx.session, '/sales') };
}

function amountsLine(service: ServiceAmounts, left: number, currency: string): Html {
  return html`<p id="amounts">The service has ${money(service.captured, currency)} captured and ${money(service.refunded, currency)} refunded: at most <strong>${money(left, currency)}</strong> can be refunded.</p>`;
}

type Precheck = { ok: true; sale: Sale; service: ServiceAmounts; rows: RefundRow[]; left: number } | { ok: false; answer: Answer };

/** The sale, and the keys and the service's figures a refund needs; or the page saying what is missing. */
async function precheck(ctx: PageContext, posId: string, reference: string): Promise<Precheck> {
  const sale = await saleOf(ctx, posId, reference);
  if (!sale) return { ok: false, answer: { kind: 'html', status: 404, body: page('No such sale', html`<p>There is no sale ${reference} of ${posId}.</p>`, ctx.session, '/sales') } };
  const rows = await refundsOf(ctx.db, posId, reference);
  if (!ctx.vipps) {
    return { ok: false, answer: frame(ctx, sale, html`${notice('Refunds need the merchant\'s keys: start the fleet with EPAYMENT_BASE_URL, EPAYMENT_CLIENT_ID, EPAYMENT_CLIENT_SECRET, EPAYMENT_SUBSCRIPTION_KEY and EPAYMENT_MSN set.', 'error')}${refundTable(rows)}`) };
  }
  if (!REFUNDABLE_OUTCOMES.includes(sale.outcome)) return { ok: false, answer: frame(ctx, sale, html`${notice(`Only a captured sale can be refunded; this one is ${sale.outcome}.`, 'error')}${refundTable(rows)}`) };
  const service = await serviceAmounts(ctx.vipps, reference);
  if ('error' in service) return { ok: false, answer: frame(ctx, sale, html`${notice(`Cannot refund now: ${service.error}.`, 'error')}${refundTable(rows)}`, 502) };
  return { ok: true, sale, service, rows, left: refundable(service, rows) };
}

function form(ctx: PageContext, check: Extract<Precheck, { ok: true }>, values: { amount?: string; reason?: string; request?: string } = {}, message?: Html): Html {
  const { sale, left } = check;
  if (left <= 0) return html`${message ?? ''}${amountsLine(check.service, left, sale.currency)}<p>Nothing is left to refund.</p>${refundTable(check.rows)}`;
  return html`${message ?? ''}${amountsLine(check.service, left, sale.currency)}
<form method="post" action="${refundPath(sale.pos_id, sale.reference)}" id="refund-form">${csrfField(ctx.session)}
<input type="hidden" name="request" value="${values.request ?? randomBytes(16).toString('hex')}"><input type="hidden" name="step" value="review">
<label>Amount (${sale.currency}) <input name="amount" value="${values.amount ?? decimal(left)}" size="10" inputmode="decimal" required></label>
<label>Reason <input name="reason" value="${values.reason ?? ''}" maxlength="${MAX_REASON}" size="40" required></label>
<button>Review the refund</button></form>
<h2>Refunds</h2>${refundTable(check.rows)}`;
}

export async function refundPage(ctx: PageContext, posId: string, reference: string): Promise<Answer> {
  const check = await precheck(ctx, posId, reference);
  if (!check.ok) return check.answer;
  const shown = Number(ctx.url.searchParams.get('refund'));
  const row = check.rows.find((r) => r.id === shown);
  const message = row ? notice(`Refund of ${money(row.amount, row.currency)}: ${STATE_TEXT[row.state]}.`, row.state === 'done' ? 'ok' : 'error') : undefined;
  return frame(ctx, check.sale, form(ctx, check, {}, message));
}

export async function refundPost(ctx: PageContext, posId: string, reference: string): Promise<Answer> {
  const check = await precheck(ctx, posId, reference);
  if (!check.ok) return check.answer;
  const { sale } = check;
  const request = ctx.form.get('request') ?? '';
  const reason = (ctx.form.get('reason') ?? '').trim();
  const amountText = ctx.form.get('amount') ?? '';
  const confirming = ctx.form.get('step') === 'confirm';
  const amount = confirming ? Number(amountText) : parseAmount(amountText);
  const values = { amount: confirming && Number.isSafeInteger(amount) ? decimal(amount!) : amountText, reason, request: REQUEST_ID.test(request) ? request : undefined };
  const refuse = (text: string) => frame(ctx, sale, form(ctx, check, values, notice(text, 'error')), 400);
  if (!REQUEST_ID.test(request)) return refuse('The form is stale: fill it in again.');
  if (amount === undefined || !Number.isSafeInteger(amount) || amount <= 0) return refuse('The amount must be a number above zero, like 12.50.');
  if (!reason) return refuse('A reason is needed.');

  if (!confirming) {
    if (amount > check.left) return refuse(`At most ${money(check.left, sale.currency)} can be refunded.`);
    return frame(ctx, sale, html`<p id="review">Refund <strong>${money(amount, sale.currency)}</strong>${amount === check.left ? ' (all that is left)' : ''} of ${sale.reference} to the customer, because: <q>${reason}</q>?
This cannot be undone.</p>
<form method="post" action="${refundPath(sale.pos_id, sale.reference)}" id="refund-confirm">${csrfField(ctx.session)}
<input type="hidden" name="request" value="${request}"><input type="hidden" name="step" value="confirm">
<input type="hidden" name="amount" value="${amount}"><input type="hidden" name="reason" value="${reason}">
<button>Confirm the refund of ${money(amount, sale.currency)}</button></form>
<p><a href="${refundPath(sale.pos_id, sale.reference)}">Change it</a></p>`);
  }
  const result = await refundSale(ctx.db, ctx.vipps!, {
    posId, reference, amount, reason, requestId: request, operatorId: ctx.session.operatorId, operatorName: ctx.session.operator,
  }, ctx.log);
  if (result.kind === 'refused') return refuse(`Not refunded: ${result.reason}.`);
  return { kind: 'redirect', location: `${refundPath(posId, reference)}?refund=${result.refund.id}` };
}
