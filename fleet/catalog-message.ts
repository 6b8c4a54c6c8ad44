// vend/{posId}/up/catalog (docs/fleet-protocol.md): the catalog as it stands on the machine. The one
// message allowed over 1,024 bytes (at most 8,192), checked field by field like the others; the
// newest one per machine is kept in machine_catalogs.
import type { CatalogEntry } from 'app/config/catalog-edit';
import { LANGUAGES, type Language, type MachineCurrency } from 'app/config/machine-config';
import { isPosId } from './acl';
import type { Queryable } from './database';
import { CURRENCIES, readUpBody } from './messages';

export const MAX_CATALOG_BYTES = 8192;
const MAX_PRODUCTS = 60;
const MAX_INT = 2_147_483_647;

export interface Catalog {
  cfg: string;
  languages: Language[];
  currency: MachineCurrency;
  products: CatalogEntry[];
}

export type ParsedCatalog = { ok: true; posId: string; catalog: Catalog } | { ok: false; reason: string };

export function isCatalogTopic(topic: string): boolean {
  return topic.startsWith('vend/') && topic.endsWith('/up/catalog') && topic.split('/').length === 4;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown, max = MAX_INT): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;

function checkProduct(value: unknown, i: number, languages: string[]): string[] {
  const at = `products[${i}]`;
  if (!isObject(value)) return [`${at} must be an object`];
  const problems: string[] = [];
  const extra = Object.keys(value).find((key) => !['id', 'names', 'price', 'stock', 'soldOut'].includes(key));
  if (extra !== undefined) problems.push(`${at} has an unknown field`);
  if (typeof value.id !== 'string' || !/^[a-z0-9-]{1,16}$/.test(value.id)) problems.push(`${at}.id must be 1 to 16 of a-z, 0-9 and -`);
  if (!isObject(value.names)) problems.push(`${at}.names must be an object`);
  else {
    for (const [language, name] of Object.entries(value.names)) {
      if (!languages.includes(language)) problems.push(`${at}.names has a language the machine does not offer`);
      else if (typeof name !== 'string' || name.length < 1 || name.length > 100) problems.push(`${at}.names.${language} must be 1 to 100 characters`);
    }
  }
  if (!isCount(value.price, 65_000_000)) problems.push(`${at}.price must be an integer from 0`);
  if (value.stock !== undefined && !isCount(value.stock, 10_000)) problems.push(`${at}.stock must be an integer from 0 to 10000`);
  if (typeof value.soldOut !== 'boolean') problems.push(`${at}.soldOut must be true or false`);
  return problems;
}

/** Never throws; a message that fails any check is refused whole. */
export function parseCatalog(topic: string, payload: Buffer): ParsedCatalog {
  const posId = topic.split('/')[1] ?? '';
  if (!isCatalogTopic(topic) || !isPosId(posId)) return { ok: false, reason: 'not a catalog topic' };
  const read = readUpBody(payload, MAX_CATALOG_BYTES);
  if (!read.ok) return read;
  const json = read.body;
  const problems: string[] = [];
  if (typeof json.cfg !== 'string' || !/^[0-9a-f]{64}$/.test(json.cfg)) problems.push('cfg must be 64 hex digits');
  const languages = json.languages;
  if (!Array.isArray(languages) || languages.length < 1 || languages.length > LANGUAGES.length ||
      languages.some((language) => !LANGUAGES.includes(language as Language)) || new Set(languages).size !== languages.length) {
    problems.push(`languages must be distinct ones of ${LANGUAGES.join(', ')}`);
  }
  if (typeof json.currency !== 'string' || !(CURRENCIES as readonly string[]).includes(json.currency)) problems.push(`currency must be one of ${CURRENCIES.join(', ')}`);
  if (!Array.isArray(json.products) || json.products.length > MAX_PRODUCTS) problems.push(`products must be a list of at most ${MAX_PRODUCTS}`);
  else {
    const offered = Array.isArray(languages) ? languages.map(String) : [];
    json.products.forEach((product, i) => problems.push(...checkProduct(product, i, offered)));
    const ids = json.products.map((product) => (isObject(product) ? product.id : undefined));
    if (new Set(ids).size !== ids.length) problems.push('products lists an id twice');
  }
  if (problems.length > 0) return { ok: false, reason: problems.slice(0, 5).join('; ') };
  const catalog: Catalog = {
    cfg: json.cfg as string,
    languages: languages as Language[],
    currency: json.currency as MachineCurrency,
    products: (json.products as Record<string, unknown>[]).map((p) => {
      const entry: CatalogEntry = { id: p.id as string, names: { ...(p.names as object) }, price: p.price as number, soldOut: p.soldOut as boolean };
      if (p.stock !== undefined) entry.stock = p.stock as number;
      return entry;
    }),
  };
  return { ok: true, posId, catalog };
}

export async function storeCatalog(db: Queryable, posId: string, catalog: Catalog): Promise<void> {
  await db.query(
    `INSERT INTO machine_catalogs (pos_id, cfg, languages, currency, products) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (pos_id) DO UPDATE SET cfg = excluded.cfg, languages = excluded.languages,
       currency = excluded.currency, products = excluded.products, received_at = now()`,
    [posId, catalog.cfg, JSON.stringify(catalog.languages), catalog.currency, JSON.stringify(catalog.products)],
  );
}

export async function lastCatalog(db: Queryable, posId: string): Promise<(Catalog & { receivedAt: Date }) | undefined> {
  const rows = await db.query<{ cfg: string; languages: Language[]; currency: MachineCurrency; products: CatalogEntry[]; received_at: Date }>(
    'SELECT cfg, languages, currency, products, received_at FROM machine_catalogs WHERE pos_id = $1',
    [posId],
  );
  const row = rows[0];
  return row && { cfg: row.cfg, languages: row.languages, currency: row.currency, products: row.products, receivedAt: row.received_at };
}
