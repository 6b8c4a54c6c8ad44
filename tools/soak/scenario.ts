// One sale of the soak, drawn from the seeded generator: which product, what the customer does,
// and what goes wrong around it (an API fault, a power cut, a network cut, a sensor that misses
// the drop).
import type { FaultSpec } from '../emulator/index';

export type Customer = 'pay' | 'reject' | 'walk-away' | 'cancel';
/** When the power goes: with the QR on screen, just after the approval, or while the product is released. */
export type CutMoment = 'qr' | 'after-approval' | 'releasing';

export interface SaleScript {
  product: string;
  customer: Customer;
  /** How long the customer takes to act after the QR appears. */
  actAfterMs: number;
  /** The drop sensor misses the product (products with a sensor only). */
  dropFails: boolean;
  fault?: FaultSpec;
  cut?: { moment: CutMoment; delayMs: number; offMs: number };
  /** The network goes away this long after the QR appears, for `forMs`. */
  networkCut?: { atMs: number; forMs: number };
}

export interface ProductInfo {
  id: string;
  hasSensor: boolean;
}

const ROUTES = [
  'POST /epayment/v1/payments',
  'GET /epayment/v1/payments/{reference}',
  'POST /epayment/v1/payments/{reference}/capture',
  'POST /epayment/v1/payments/{reference}/cancel',
  'POST /accesstoken/get',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function chance(random: () => number, p: number): boolean {
  return random() < p;
}

function between(random: () => number, low: number, high: number): number {
  return Math.round(low + random() * (high - low));
}

function randomFault(random: () => number): FaultSpec {
  const route = pick(random, ROUTES);
  const times = between(random, 1, 2);
  const kind = pick(random, ['status', 'status', 'reset-before-headers', 'reset-after-headers', 'truncated-json', 'malformed-json', 'latency'] as const);
  const fault: FaultSpec = { route, kind, times, skip: between(random, 0, 2) };
  if (kind === 'status') fault.status = pick(random, [500, 502, 503, 429]);
  if (kind === 'latency') fault.delayMs = between(random, 200, 1500);
  if (kind === 'reset-before-headers' && chance(random, 0.5)) fault.processed = true;
  return fault;
}

export function drawScript(random: () => number, products: readonly ProductInfo[]): SaleScript {
  const product = pick(random, products);
  const roll = random();
  const customer: Customer = roll < 0.62 ? 'pay' : roll < 0.75 ? 'reject' : roll < 0.85 ? 'cancel' : 'walk-away';
  const script: SaleScript = {
    product: product.id,
    customer,
    actAfterMs: between(random, 0, 1500),
    dropFails: product.hasSensor && chance(random, 0.3),
  };
  if (chance(random, 0.25)) script.fault = randomFault(random);
  if (chance(random, 0.15)) {
    const moment = customer === 'pay' ? pick(random, ['qr', 'after-approval', 'after-approval', 'releasing'] as const) : 'qr';
    script.cut = { moment, delayMs: between(random, 0, moment === 'releasing' ? 400 : 1500), offMs: between(random, 100, 800) };
  }
  if (chance(random, 0.1)) script.networkCut = { atMs: between(random, 0, 2500), forMs: between(random, 300, 3000) };
  return script;
}
