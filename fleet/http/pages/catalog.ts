// A machine's catalog, from its last up/catalog: names per language, price, stock, sold out. A
// change is checked with the machine's own code (config-versions.ts) before it is sent signed, and
// the versions sent are listed: pending, applied, or refused with the machine's reason.
import type { CatalogEntry } from 'app/config/catalog-edit';
import type { Language } from 'app/config/machine-config';
import { lastCatalog } from '../../catalog-message';
import { proposeCatalogEdit, sendConfigVersion } from '../../config-versions';
import type { Answer, PageContext } from '../context';
import { html, when } from '../html';
import { csrfField, notice, page } from '../layout';

type VersionRow = { id: number; created_at: Date; sent_at: Date | null; state: string; reason: string | null; applied_hash: string | null; operator: string | null };

const price = (minor: number): string => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

function parsePrice(text: string): number | undefined {
  const match = /^\s*(\d{1,6})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  return match ? Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0')) : undefined;
}

export async function catalogPage(ctx: PageContext, posId: string, message?: { text: string; kind: 'ok' | 'error' }, values?: CatalogEntry[]): Promise<Answer> {
  const machine = await ctx.db.query('SELECT 1 FROM machines WHERE pos_id = $1', [posId]);
  if (machine.length === 0) return { kind: 'html', status: 404, body: page('No such machine', html`<p>There is no machine ${posId}.</p>`, ctx.session) };
  const catalog = await lastCatalog(ctx.db, posId);
  const versions = await ctx.db.query<VersionRow>(
    `SELECT v.id, v.created_at, v.sent_at, v.state, v.reason, v.applied_hash, o.name AS operator
     FROM config_versions v LEFT JOIN operators o ON o.id = v.operator_id WHERE v.pos_id = $1 ORDER BY v.id DESC LIMIT 50`,
    [posId],
  );
  const shown = values ?? catalog?.products ?? [];
  const form = catalog
    ? html`<p>As reported ${when(catalog.receivedAt)} (configuration ${catalog.cfg.slice(0, 12)}…), prices in ${catalog.currency}.</p>
<form method="post" action="/machines/${encodeURIComponent(posId)}/catalog" id="catalog">${csrfField(ctx.session)}
<table><thead><tr><th>Product</th>${catalog.languages.map((l) => html`<th>Name (${l})</th>`)}<th>Price</th><th>Stock</th><th>Sold out</th></tr></thead><tbody>
${shown.map((p) => html`<tr data-product="${p.id}"><td>${p.id}</td>
${catalog.languages.map((l) => html`<td><input name="name.${p.id}.${l}" value="${p.names[l] ?? ''}" maxlength="100" aria-label="name of ${p.id} in ${l}"></td>`)}
<td><input name="price.${p.id}" value="${price(p.price)}" size="8" inputmode="decimal" aria-label="price of ${p.id}"></td>
<td>${p.stock === undefined ? 'not counted' : html`<input type="number" name="stock.${p.id}" min="0" max="10000" value="${p.stock}" aria-label="stock of ${p.id}">`}</td>
<td><input type="checkbox" name="soldOut.${p.id}" value="1"${p.soldOut ? html` checked` : ''} aria-label="${p.id} sold out"></td></tr>`)}
</tbody></table><button>Send to ${posId}</button></form>`
    : html`<p>${posId} has not reported its catalog yet; it does after its next connection.</p>`;
  const body = html`${message ? notice(message.text, message.kind) : ''}${form}
<h2>Versions sent</h2>
${versions.length === 0 ? html`<p id="versions">None yet.</p>` : html`<table id="versions"><thead><tr><th>Version</th><th>Made</th><th>By</th><th>Sent</th><th>State</th><th>Machine's answer</th></tr></thead><tbody>
${versions.map((v) => html`<tr data-version="${v.id}"><td>${v.id}</td><td>${when(v.created_at)}</td><td>${v.operator ?? ''}</td><td>${when(v.sent_at)}</td>
<td class="state state-${v.state}">${v.state}</td><td class="reason">${v.reason ?? (v.applied_hash ? `applied ${v.applied_hash.slice(0, 12)}…` : '')}</td></tr>`)}
</tbody></table>`}`;
  return { kind: 'html', status: message?.kind === 'error' ? 400 : 200, body: page(`Catalog of ${posId}`, body, ctx.session, '/machines') };
}

export async function editCatalog(ctx: PageContext, posId: string): Promise<Answer> {
  const catalog = await lastCatalog(ctx.db, posId);
  if (!catalog) return catalogPage(ctx, posId, { text: 'The machine has not reported its catalog yet.', kind: 'error' });
  const problems: string[] = [];
  const products = catalog.products.map((old) => {
    const names: Partial<Record<Language, string>> = {};
    for (const language of catalog.languages) {
      const name = (ctx.form.get(`name.${old.id}.${language}`) ?? '').trim();
      if (name) names[language] = name;
    }
    const priceText = ctx.form.get(`price.${old.id}`) ?? '';
    const minor = parsePrice(priceText);
    if (minor === undefined) problems.push(`${old.id}: the price must be like 25.00`);
    const entry: CatalogEntry = { id: old.id, names, price: minor ?? old.price, soldOut: ctx.form.get(`soldOut.${old.id}`) === '1' };
    if (old.stock !== undefined) {
      const stock = ctx.form.get(`stock.${old.id}`) ?? '';
      if (!/^\d{1,5}$/.test(stock)) problems.push(`${old.id}: the stock must be a whole number`);
      entry.stock = /^\d{1,5}$/.test(stock) ? Number(stock) : old.stock;
    }
    return entry;
  });
  if (problems.length > 0) return catalogPage(ctx, posId, { text: problems.join('; '), kind: 'error' }, products);
  const proposed = await proposeCatalogEdit(ctx.db, posId, products, ctx.session.operatorId);
  if (!proposed.ok) return catalogPage(ctx, posId, { text: `Not sent: ${proposed.reason}`, kind: 'error' }, products);
  try {
    await sendConfigVersion(ctx.db, ctx.publisher, proposed.id);
  } catch (error) {
    // Stored pending: it goes with the machine's next hello.
    ctx.log(`page: cannot send configuration ${proposed.id} now: ${(error as Error).message}`);
  }
  ctx.log(`page: ${ctx.session.operator} sent configuration ${proposed.id} to ${posId}`);
  return { kind: 'redirect', location: `/machines/${encodeURIComponent(posId)}/catalog?sent=${proposed.id}` };
}
