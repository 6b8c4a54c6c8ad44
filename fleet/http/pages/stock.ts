// Stock: per machine and counted product, the units left in the last reported catalog, the level
// at which it is low (editable), and a pick list: the units to bring to fill each up to the target.
import type { CatalogEntry } from 'app/config/catalog-edit';
import type { Answer, PageContext } from '../context';
import { html, when } from '../html';
import { csrfField, notice, page } from '../layout';

type CatalogRow = { pos_id: string; languages: string[]; products: CatalogEntry[]; received_at: Date };

const nameOf = (product: CatalogEntry, languages: string[]): string =>
  (product.names as Record<string, string>)[languages[0] ?? ''] ?? Object.values(product.names)[0] ?? product.id;

export async function stockPage(ctx: PageContext, message?: { text: string; kind: 'ok' | 'error' }): Promise<Answer> {
  const [catalogs, levels, settings] = await Promise.all([
    ctx.db.query<CatalogRow>('SELECT pos_id, languages, products, received_at FROM machine_catalogs ORDER BY pos_id'),
    ctx.db.query<{ pos_id: string; product: string; level: number }>('SELECT pos_id, product, level FROM low_stock_levels'),
    ctx.db.query<{ default_low_stock: number; refill_target: number }>('SELECT default_low_stock, refill_target FROM alert_settings'),
  ]);
  const { default_low_stock: defaultLevel, refill_target: target } = settings[0]!;
  const levelOf = new Map(levels.map((l) => [`${l.pos_id}\n${l.product}`, l.level]));
  const picks: Array<{ posId: string; id: string; name: string; units: number }> = [];
  const tables = catalogs.map((c) => {
    const counted = c.products.filter((p) => p.stock !== undefined);
    return html`<h2>${c.pos_id}</h2><p>Catalog reported ${when(c.received_at)}.</p>
${counted.length === 0 ? html`<p>No counted products.</p>` : html`<table class="stock" data-machine="${c.pos_id}"><thead><tr><th>Product</th><th>Left</th><th>Low at</th><th>Sold out</th></tr></thead><tbody>
${counted.map((p) => {
  const level = levelOf.get(`${c.pos_id}\n${p.id}`) ?? defaultLevel;
  const low = p.stock! <= level;
  if (p.stock! < target) picks.push({ posId: c.pos_id, id: p.id, name: nameOf(p, c.languages), units: target - p.stock! });
  return html`<tr data-product="${p.id}"${low ? html` class="low"` : ''}><td class="name">${nameOf(p, c.languages)} <small>(${p.id})</small></td>
<td class="num left">${p.stock}${low ? ' (low)' : ''}</td>
<td><form method="post" action="/stock/level" class="inline">${csrfField(ctx.session)}<input type="hidden" name="machine" value="${c.pos_id}"><input type="hidden" name="product" value="${p.id}">
<input type="number" name="level" min="0" max="10000" value="${level}" aria-label="low-stock level of ${p.id} on ${c.pos_id}"> <button>Set</button></form></td>
<td>${p.soldOut ? 'sold out' : ''}</td></tr>`;
})}</tbody></table>`}`;
  });
  const body = html`${message ? notice(message.text, message.kind) : ''}
<form method="post" action="/stock/settings">${csrfField(ctx.session)}
<label>Fill up to <input type="number" name="target" min="1" max="10000" value="${target}"></label>
<label>Low at (default) <input type="number" name="default" min="0" max="10000" value="${defaultLevel}"></label> <button>Save</button></form>
<h2>Pick list</h2>
${picks.length === 0 ? html`<p id="picks">Nothing to bring.</p>` : html`<table id="picks"><thead><tr><th>Machine</th><th>Product</th><th>Units to bring</th></tr></thead><tbody>
${picks.map((p) => html`<tr data-machine="${p.posId}" data-product="${p.id}"><td>${p.posId}</td><td>${p.name}</td><td class="num units">${p.units}</td></tr>`)}
</tbody><tfoot>${[...new Set(picks.map((p) => p.posId))].map((posId) => html`<tr><th>${posId}</th><th>total</th><th class="num">${picks.filter((p) => p.posId === posId).reduce((sum, p) => sum + p.units, 0)}</th></tr>`)}</tfoot></table>`}
${tables}
${catalogs.length === 0 ? html`<p>No machine has reported its catalog yet.</p>` : ''}`;
  return { kind: 'html', status: message?.kind === 'error' ? 400 : 200, body: page('Stock', body, ctx.session, '/stock') };
}

const count = (value: string | null, min: number): number | undefined => {
  if (value === null || !/^\d{1,5}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= 10_000 ? n : undefined;
};

export async function setLowLevel(ctx: PageContext): Promise<Answer> {
  const machine = ctx.form.get('machine') ?? '';
  const product = ctx.form.get('product') ?? '';
  const level = count(ctx.form.get('level'), 0);
  if (level === undefined) return stockPage(ctx, { text: 'The level must be a whole number from 0 to 10000.', kind: 'error' });
  const known = await ctx.db.query(
    `SELECT 1 FROM machine_catalogs WHERE pos_id = $1 AND EXISTS (SELECT 1 FROM jsonb_array_elements(products) p WHERE p->>'id' = $2)`,
    [machine, product],
  );
  if (known.length === 0) return stockPage(ctx, { text: 'No such product on that machine.', kind: 'error' });
  await ctx.db.query(
    `INSERT INTO low_stock_levels (pos_id, product, level) VALUES ($1, $2, $3)
     ON CONFLICT (pos_id, product) DO UPDATE SET level = excluded.level`,
    [machine, product, level],
  );
  return { kind: 'redirect', location: '/stock' };
}

export async function setStockSettings(ctx: PageContext): Promise<Answer> {
  const target = count(ctx.form.get('target'), 1);
  const level = count(ctx.form.get('default'), 0);
  if (target === undefined || level === undefined) return stockPage(ctx, { text: 'Both must be whole numbers (the target at least 1).', kind: 'error' });
  await ctx.db.query('UPDATE alert_settings SET refill_target = $1, default_low_stock = $2', [target, level]);
  return { kind: 'redirect', location: '/stock' };
}
