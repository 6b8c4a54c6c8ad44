// One view for every screen the machine can show, for the contact sheet (`npm run screens`) and the
// tests that draw every screen in every language. Not part of the firmware: nothing on the device
// imports it.
import type { Language, MachineConfig } from 'app/config/machine-config';
import type { MachineView, SaleScreen, SalesLogEntry } from 'app/sale/view';
import { IDLE_PRODUCTS_PER_PAGE, LOG_ENTRIES_PER_PAGE, OUTPUT_ROWS, RESTOCK_PRODUCTS_PER_PAGE } from 'app/layout';

/** A payment URL as the service makes it: 86 characters, a version-6 QR. */
export const SAMPLE_PAYMENT_URL = 'https://qr.vipps.no/28/2/05/031/47951782463905712846305917?v=1&ref=2486791679658155992';
/** A reference as the machine makes it: posId, counter, random part. */
export const SAMPLE_REFERENCE = 'oslo-s-vend-01-1042-k3j9x0';

export interface SampleScreen {
  /** File name stem: `<name>-<language>.png`. */
  name: string;
  view: MachineView;
}

const MINUTE = 60_000;

/** Every screen, in the order a customer and then an operator meets them; `now` is the clock the views are built for. */
export function sampleScreens(config: MachineConfig, language: Language, now: number, testMode = false): SampleScreen[] {
  const products = config.catalog.map((product) => ({ id: product.id, price: product.price, soldOut: product.soldOut || product.stock === 0 }));
  const [first, second] = [config.catalog[0].id, config.catalog[Math.min(2, config.catalog.length - 1)].id];
  const reference = SAMPLE_REFERENCE;
  const pages = (per: number) => Math.max(1, Math.ceil(products.length / per));
  const log: SalesLogEntry[] = [
    { time: 1_764_583_500, product: first, amount: config.catalog[0].price, reference, outcome: 'captured' },
    { time: 1_764_580_020, product: second, amount: config.catalog[2]?.price ?? 100, reference: 'oslo-s-vend-01-1041-0z8p2m', outcome: 'capture-pending' },
    { time: 1_764_578_760, product: first, amount: config.catalog[0].price, reference: 'oslo-s-vend-01-1040-9qq1ra', outcome: 'cancelled' },
    { time: 1_764_570_000, product: second, amount: config.catalog[2]?.price ?? 100, reference: 'oslo-s-vend-01-1039-a7c2kd', outcome: 'capture-overdue' },
  ].slice(0, LOG_ENTRIES_PER_PAGE) as SalesLogEntry[];
  const sales: Array<[string, SaleScreen]> = [
    ['idle', { screen: 'idle', page: 0, pages: pages(IDLE_PRODUCTS_PER_PAGE) }],
    ['idle-page-2', { screen: 'idle', page: 1, pages: pages(IDLE_PRODUCTS_PER_PAGE) }],
    ['idle-notice', { screen: 'idle', page: 0, pages: pages(IDLE_PRODUCTS_PER_PAGE), notice: { reference, outcome: 'completed', until: now + MINUTE } }],
    ['creating', { screen: 'creating', product: second }],
    ['payment', { screen: 'payment', product: second, reference, redirectUrl: SAMPLE_PAYMENT_URL, expiresAt: now + 9 * MINUTE + 41_000, cancelling: false }],
    ['payment-cancelling', { screen: 'payment', product: second, reference, redirectUrl: SAMPLE_PAYMENT_URL, expiresAt: now + 7 * MINUTE + 5_000, cancelling: true }],
    ['finish-in-app', { screen: 'finish-in-app', product: second, reference, expiresAt: now + 6 * MINUTE + 12_000 }],
    ['releasing', { screen: 'releasing', product: second, reference }],
    ['thank-you', { screen: 'thank-you', product: second, reference }],
    ['reversing', { screen: 'reversing', product: second, reference }],
    ['not-charged', { screen: 'not-charged', product: second, reference }],
    ['cancelled', { screen: 'cancelled', product: second, reference }],
    ['expired', { screen: 'expired', product: second, reference }],
    ['aborted', { screen: 'aborted', product: second, reference }],
    ['error-not-charged', { screen: 'error', product: second, reference, charged: 'no' }],
    ['error-unknown', { screen: 'error', product: second, reference, charged: 'unknown' }],
    ['error-no-sale', { screen: 'error', charged: 'unknown' }],
    ['out-of-service', { screen: 'out-of-service', reason: 'network', detail: 'Wi-Fi "kiosk" not found' }],
    ['out-of-service-journal', { screen: 'out-of-service', reason: 'journal', detail: 'write sale: flash write error on "sale.1" (NVS full)' }],
    ['out-of-service-touch', { screen: 'out-of-service', reason: 'touch' }],
    ['service-pin', { screen: 'service-pin', digits: 3, wrong: false }],
    ['service-pin-wrong', { screen: 'service-pin', digits: 0, wrong: true }],
    ['service-pin-locked', { screen: 'service-pin', digits: 0, wrong: true, lockedUntil: now + 4 * MINUTE + 30_000 }],
    ['service-menu', { screen: 'service-menu' }],
    ['service-outputs', { screen: 'service-outputs', page: 0, pages: pages(OUTPUT_ROWS), lastFired: first }],
    ['service-restock', { screen: 'service-restock', page: 0, pages: pages(RESTOCK_PRODUCTS_PER_PAGE) }],
    ['service-restock-fault', { screen: 'service-restock', page: 0, pages: pages(RESTOCK_PRODUCTS_PER_PAGE) }],
    ['service-status', {
      screen: 'service-status',
      status: {
        network: true, clockSet: true, timeServer: '2.pool.ntp.org', tokenFreshSeconds: 2874, api: 'HTTP 503', baseUrl: 'https://apitest.vipps.no',
        settings: [`posId: ${config.posId}`, 'clientId: ****5f2a', 'clientSecret: ****', 'subscriptionKey: ****', `currency: ${config.currency}`],
      },
      queue: [
        { reference: 'oslo-s-vend-01-1041-0z8p2m', operation: 'capture', amount: config.catalog[2]?.price ?? 100, overdue: false, late: true, tries: 107 },
        { reference: 'oslo-s-vend-01-1039-a7c2kd', operation: 'capture', amount: config.catalog[2]?.price ?? 100, overdue: true, late: true, tries: 14 },
      ],
    }],
    ['service-log', { screen: 'service-log', page: 0, pages: 3, entries: log }],
    ['service-refund', { screen: 'service-refund', candidates: log.slice(0, 2), page: 0, pages: 1 }],
    ['service-refund-done', { screen: 'service-refund', candidates: log.slice(1, 2), page: 0, pages: 1, result: 'refunded' }],
    ['service-pin-change', { screen: 'service-pin-change', step: 'confirm', digits: 4, result: 'mismatch' }],
  ];
  // The first product's drop sensor read active: out of sale until cleared.
  const faulty = products.map((product, i) => (i === 0 ? { ...product, soldOut: true, fault: 'sensor' as const } : product));
  return sales.map(([name, sale]) => ({ name, view: { language, testMode, sale, products: name === 'service-restock-fault' ? faulty : products } }));
}
