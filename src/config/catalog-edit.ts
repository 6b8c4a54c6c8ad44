// The part of a machine's configuration the operator may change from the fleet's page: each
// product's names, price, stock and sold-out flag. Pins, the posId, credentials and everything else
// stay as provisioned. The fleet server checks an edit with the same code before it sends it (on a
// stand-in built from what the machine reported), and the machine checks it again.
import type { Language, MachineConfig, MachineCurrency } from 'app/config/machine-config';
import { ConfigError, validateMachineConfig } from 'app/config/validate';

export interface CatalogEntry {
  id: string;
  names: Partial<Record<Language, string>>;
  price: number;
  /** Units left; absent: not counted. */
  stock?: number;
  soldOut: boolean;
}

/** What a machine reports of itself, enough to check an edit without its pins. */
export interface ReportedCatalog {
  posId: string;
  languages: Language[];
  currency: MachineCurrency;
  products: CatalogEntry[];
}

const EDITABLE = ['id', 'names', 'price', 'stock', 'soldOut'];

export function catalogOf(config: MachineConfig): CatalogEntry[] {
  return config.catalog.map((product) => {
    const entry: CatalogEntry = { id: product.id, names: { ...product.names }, price: product.price, soldOut: product.soldOut };
    if (product.stock !== undefined) entry.stock = product.stock;
    return entry;
  });
}

/**
 * `config` with the edit's fields, checked as a whole by validateMachineConfig. The edit lists every
 * product of the catalog once, in any order, with no other fields; a product keeps being counted
 * (stock) or not. Throws ConfigError naming the first problem.
 */
export function applyCatalogEdit(config: MachineConfig, edit: unknown): MachineConfig {
  if (!Array.isArray(edit)) throw new ConfigError(['products: must be a list']);
  const byId = new Map<string, Record<string, unknown>>();
  edit.forEach((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ConfigError([`products[${i}]: must be an object`]);
    const entry = item as Record<string, unknown>;
    const extra = Object.keys(entry).find((key) => !EDITABLE.includes(key));
    if (extra !== undefined) throw new ConfigError([`products[${i}].${extra.slice(0, 30)}: cannot be changed remotely`]);
    if (typeof entry.id !== 'string') throw new ConfigError([`products[${i}].id: must be a string`]);
    if (byId.has(entry.id)) throw new ConfigError([`products[${i}].id: "${entry.id.slice(0, 30)}" is listed twice`]);
    byId.set(entry.id, entry);
  });
  const catalog = config.catalog.map((product, i) => {
    const entry = byId.get(product.id);
    if (!entry) throw new ConfigError([`products: ${product.id} is missing (every product must be listed)`]);
    byId.delete(product.id);
    if ((entry.stock === undefined) !== (product.stock === undefined)) {
      throw new ConfigError([`products[${i}].stock: ${product.id} ${product.stock === undefined ? 'is not counted' : 'is counted'} on this machine; that cannot change remotely`]);
    }
    const next: Record<string, unknown> = { ...product, names: entry.names, price: entry.price, soldOut: entry.soldOut };
    if (entry.stock !== undefined) next.stock = entry.stock;
    return next;
  });
  const unknown = [...byId.keys()][0];
  if (unknown !== undefined) throw new ConfigError([`products: "${unknown.slice(0, 30)}" is not a product of this machine`]);
  return validateMachineConfig({ ...config, catalog });
}

/** A configuration standing in for the machine's own, for the fleet server: its pins are made up, everything an edit touches is real. */
export function standInConfig(reported: ReportedCatalog): MachineConfig {
  return validateMachineConfig({
    posId: reported.posId,
    languages: reported.languages,
    currency: reported.currency,
    brand: 'Vipps',
    operatorContact: '',
    catalog: reported.products.map((entry, i) => ({ ...entry, vatRate: 0, output: { pin: i, pulseMs: 200 } })),
  });
}
