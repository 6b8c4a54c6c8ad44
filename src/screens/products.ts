// Product names in the customer's language, with the machine's default language as the fallback.
import type { Language, MachineConfig, Product } from 'app/config/machine-config';
import type { ProductSummary } from 'app/sale/view';

export function productById(config: MachineConfig, id: string): Product | undefined {
  const catalog = config.catalog;
  for (let i = 0; i < catalog.length; i++) if (catalog[i].id === id) return catalog[i];
  return undefined;
}

/** The product's name in `language`, else in the default language, else its id. */
export function productName(config: MachineConfig, id: string, language: Language): string {
  const product = productById(config, id);
  if (!product) return id;
  return product.names[language] ?? product.names[config.languages[0]] ?? id;
}

/** Units left: the controller's figure when the view carries one, else the configuration's; undefined when not counted. */
export function stockOf(summary: ProductSummary, config: MachineConfig): number | undefined {
  const counted = (summary as ProductSummary & { stock?: number }).stock;
  return counted ?? productById(config, summary.id)?.stock;
}
