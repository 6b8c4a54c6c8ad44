// Machines: online or offline and since when, in service or why not, the last sale, the queue and
// the captures waiting, the firmware.
import type { Answer, PageContext } from '../context';
import { html, machineTime, when } from '../html';
import { page } from '../layout';

type MachineRow = {
  pos_id: string; online: boolean; online_since: Date | null; last_seen: Date | null; in_service: boolean | null;
  reason: string | null; screen: string | null; queue: number | null; pending: number | null; late: number | null;
  overdue: number | null; firmware: string | null; last_sale_time: number | null; last_sale_received: Date | null;
  lost: number | null; open_alerts: number;
};

export async function machinesPage(ctx: PageContext): Promise<Answer> {
  const rows = await ctx.db.query<MachineRow>(
    `SELECT m.pos_id, m.online, m.online_since, m.last_seen, m.in_service, m.reason, m.screen, m.queue,
            m.pending, m.late, m.overdue, m.firmware, m.lost, s.sale_time AS last_sale_time, s.received_at AS last_sale_received,
            (SELECT count(*)::int FROM alerts a WHERE a.pos_id = m.pos_id AND a.closed_at IS NULL) AS open_alerts
     FROM machines m
     LEFT JOIN LATERAL (SELECT sale_time, received_at FROM sales WHERE pos_id = m.pos_id ORDER BY received_at DESC, seq DESC LIMIT 1) s ON true
     ORDER BY m.pos_id`,
  );
  const state = (m: MachineRow) =>
    m.online
      ? html`<span class="online">online</span> since ${when(m.online_since)}`
      : html`<span class="offline">offline</span>${m.last_seen ? html` since ${when(m.last_seen)}` : ' (never seen)'}`;
  const service = (m: MachineRow) => (m.in_service === null ? '' : m.in_service ? 'in service' : html`out of service: ${m.reason ?? 'no reason given'}`);
  const body = html`<div data-refresh="30"></div>
<table id="machines"><thead><tr><th>Machine</th><th>State</th><th>Service</th><th>Last sale</th><th>Queue</th>
<th>Captures pending / late / overdue</th><th>Firmware</th><th>Open alerts</th><th></th></tr></thead><tbody>
${rows.map((m) => html`<tr data-machine="${m.pos_id}"><td>${m.pos_id}${m.lost ? html`<br><span class="lost">${m.lost} sale events left the machine's 50-sale log before the fleet had them</span>` : ''}</td><td class="state">${state(m)}</td><td class="service">${service(m)}</td>
<td class="last-sale">${m.last_sale_received ? html`${machineTime(Number(m.last_sale_time))}` : 'none'}</td>
<td class="num queue">${m.queue ?? ''}</td><td class="num captures">${m.pending ?? ''} / ${m.late ?? ''} / ${m.overdue ?? ''}</td>
<td class="firmware">${m.firmware ?? ''}</td><td class="num">${m.open_alerts}</td>
<td><a href="/machines/${encodeURIComponent(m.pos_id)}/catalog">Catalog</a></td></tr>`)}
</tbody></table>
${rows.length === 0 ? html`<p>No machines yet: <code>npm run fleet -- --add-machine POSID</code>.</p>` : ''}`;
  return { kind: 'html', body: page('Machines', body, ctx.session, '/machines') };
}
