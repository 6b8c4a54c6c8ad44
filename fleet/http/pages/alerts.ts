// Alerts: open and closed, the machine's own and the server's (offline, no-sale, queue-growing),
// with when they opened and closed; and when the server's own ones open.
import type { Answer, PageContext } from '../context';
import { html, when } from '../html';
import { csrfField, notice, page } from '../layout';

type AlertRow = { id: number; pos_id: string; kind: string; detail: string; source: string; opened_at: Date; closed_at: Date | null };

export async function alertsPage(ctx: PageContext, message?: string): Promise<Answer> {
  const [open, closed, settings] = await Promise.all([
    ctx.db.query<AlertRow>('SELECT id, pos_id, kind, detail, source, opened_at, closed_at FROM alerts WHERE closed_at IS NULL ORDER BY opened_at DESC, id DESC'),
    ctx.db.query<AlertRow>('SELECT id, pos_id, kind, detail, source, opened_at, closed_at FROM alerts WHERE closed_at IS NOT NULL ORDER BY closed_at DESC, id DESC LIMIT 200'),
    ctx.db.query<{ offline_after_s: number; no_sale_after_s: number; queue_growing_beats: number }>('SELECT offline_after_s, no_sale_after_s, queue_growing_beats FROM alert_settings'),
  ]);
  const s = settings[0]!;
  const table = (id: string, rows: AlertRow[]) => html`<table id="${id}"><thead><tr><th>Machine</th><th>Kind</th><th>Detail</th><th>From</th><th>Opened</th>${id === 'closed' ? html`<th>Closed</th>` : ''}</tr></thead><tbody>
${rows.map((a) => html`<tr data-machine="${a.pos_id}" data-kind="${a.kind}"><td>${a.pos_id}</td><td class="kind">${a.kind}</td><td>${a.detail}</td><td>${a.source}</td>
<td class="opened">${when(a.opened_at)}</td>${id === 'closed' ? html`<td class="closed">${when(a.closed_at)}</td>` : ''}</tr>`)}</tbody></table>`;
  const body = html`<div data-refresh="30"></div>${notice(message, 'error')}
<h2>Open</h2>${open.length ? table('open', open) : html`<p id="open">None.</p>`}
<h2>Closed</h2>${closed.length ? table('closed', closed) : html`<p id="closed">None.</p>`}
<h2>When the server raises one</h2>
<form method="post" action="/alerts/settings">${csrfField(ctx.session)}
<label>offline for more than <input type="number" name="offlineMinutes" min="1" max="10080" value="${Math.max(1, Math.round(s.offline_after_s / 60))}"> minutes</label><br>
<label>no sale for <input type="number" name="noSaleHours" min="1" max="720" value="${Math.max(1, Math.round(s.no_sale_after_s / 3600))}"> hours</label><br>
<label>queue grew in <input type="number" name="queueBeats" min="2" max="100" value="${s.queue_growing_beats}"> heartbeats in a row</label><br>
<button>Save</button></form>`;
  return { kind: 'html', status: message ? 400 : 200, body: page('Alerts', body, ctx.session, '/alerts') };
}

export async function setAlertSettings(ctx: PageContext): Promise<Answer> {
  const read = (name: string, min: number, max: number): number | undefined => {
    const value = ctx.form.get(name) ?? '';
    return /^\d{1,5}$/.test(value) && Number(value) >= min && Number(value) <= max ? Number(value) : undefined;
  };
  const offline = read('offlineMinutes', 1, 10_080);
  const noSale = read('noSaleHours', 1, 720);
  const beats = read('queueBeats', 2, 100);
  if (offline === undefined || noSale === undefined || beats === undefined) return alertsPage(ctx, 'Each must be a whole number in its range.');
  await ctx.db.query('UPDATE alert_settings SET offline_after_s = $1, no_sale_after_s = $2, queue_growing_beats = $3', [offline * 60, noSale * 3600, beats]);
  return { kind: 'redirect', location: '/alerts' };
}
