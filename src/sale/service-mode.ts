// Service mode: the operator's side of the machine, behind a PIN (three wrong tries lock it for a
// while). Test-fire outputs, restock, status, pending captures and cancels, the sales log, a refund
// of a captured sale (journalled and idempotent through the settlement queue), and the PIN itself.
// Only state and logic live here; the screens draw `screen`.
import { sha256Hex } from 'hash/sha256';
import type { Clock } from 'ports/clock';
import type { OutputPin } from 'ports/io';
import type { Log } from 'ports/log';
import type { Random } from 'ports/random';
import type { SecretStore } from 'ports/secrets';
import type { MachineConfig } from 'app/config/machine-config';
import { LOG_ENTRIES_PER_PAGE, OUTPUT_ROWS, REFUND_ENTRIES_PER_PAGE, RESTOCK_PRODUCTS_PER_PAGE } from 'app/layout';
import type { QueueItem, SaleJournal } from 'app/sale/journal';
import type { Settlements } from 'app/sale/settlements';
import type { Action, SaleOutcome, SalesLogEntry, ServiceScreen, StatusView } from 'app/sale/view';

export const MIN_PIN_DIGITS = 6;
const MAX_PIN_DIGITS = 12;
const WRONG_TRIES = 3;
export const PIN_LOCK_MS = 5 * 60_000;

export interface ServiceDeps {
  journal: SaleJournal;
  config: MachineConfig | undefined;
  clock: Clock;
  random: Random;
  secrets: SecretStore;
  log: Log;
  outputs: Map<string, OutputPin>;
  settlements: Settlements;
  status(): Omit<StatusView, 'baseUrl' | 'settings'>;
  baseUrl: string;
  wallTime(): number;
  changed(): void;
}

/** `salt:sha256(salt + pin)`: what SecretStore keeps, never the PIN. */
export function hashPin(pin: string, salt: string): string {
  return `${salt}:${sha256Hex(salt + pin)}`;
}

export function checkPin(pin: string, stored: string | undefined): boolean {
  if (!stored) return false;
  const colon = stored.indexOf(':');
  if (colon <= 0) return false;
  return hashPin(pin, stored.slice(0, colon)) === stored;
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

export class ServiceMode {
  active = false;
  private current: ServiceScreen = { screen: 'service-pin', digits: 0, wrong: false };
  // The digits typed so far; never shown, never logged.
  private entry = '';
  private newPin = '';
  private wrongTries = 0;
  private lockedUntil = 0;
  private pendingRefund: string | undefined;

  constructor(private readonly deps: ServiceDeps) {}

  get screen(): ServiceScreen {
    if (this.current.screen === 'service-status') return { screen: 'service-status', status: this.statusView(), queue: this.queueView() };
    return this.current;
  }

  enter(): void {
    this.active = true;
    this.entry = '';
    this.current = this.pinScreen(false);
    this.deps.changed();
  }

  exit(): void {
    this.active = false;
    this.entry = '';
    this.newPin = '';
  }

  /** A refund that was queued from here has settled. */
  settled(item: QueueItem, outcome: SaleOutcome): void {
    if (item.operation !== 'refund' || item.reference !== this.pendingRefund) return;
    this.pendingRefund = undefined;
    if (this.current.screen === 'service-refund') this.current = { ...this.refundScreen(this.current.page), result: outcome === 'refunded' ? 'refunded' : 'failed' };
    this.deps.changed();
  }

  act(action: Action): void {
    const screen = this.current.screen;
    if (action.type === 'back' || (action.type === 'menu' && action.item === 'exit')) {
      if (screen === 'service-pin' || screen === 'service-menu' || action.type === 'menu') this.exit();
      else this.current = { screen: 'service-menu' };
      return;
    }
    if (screen === 'service-pin') return this.pinAction(action);
    if (screen === 'service-pin-change') return this.pinChangeAction(action);
    if (action.type === 'menu') return this.open(action.item);
    switch (action.type) {
      case 'fire':
        void this.fire(action.product);
        return;
      case 'restock':
        this.restock(action.product, action.delta);
        return;
      case 'toggle-sold-out':
        this.toggleSoldOut(action.product);
        return;
      case 'refund':
        this.refund(action.reference);
        return;
      case 'page':
        this.turnPage(action.delta);
        return;
      default:
        return;
    }
  }

  private pinScreen(wrong: boolean): ServiceScreen {
    const locked = this.lockedUntil > this.deps.clock.now();
    return locked ? { screen: 'service-pin', digits: this.entry.length, wrong, lockedUntil: this.lockedUntil } : { screen: 'service-pin', digits: this.entry.length, wrong };
  }

  private pinAction(action: Action): void {
    if (this.lockedUntil > this.deps.clock.now()) {
      this.current = this.pinScreen(false);
      return;
    }
    if (action.type === 'pin-digit' && this.entry.length < MAX_PIN_DIGITS) this.entry += String(action.digit % 10);
    else if (action.type === 'pin-clear') this.entry = '';
    else if (action.type === 'pin-enter') {
      const ok = checkPin(this.entry, this.deps.secrets.pinHash());
      this.entry = '';
      if (ok) {
        this.wrongTries = 0;
        this.deps.log.info('service mode: entered');
        this.current = { screen: 'service-menu' };
        return;
      }
      this.wrongTries++;
      this.deps.log.warn(`service mode: wrong PIN (${this.wrongTries} of ${WRONG_TRIES})`);
      if (this.wrongTries >= WRONG_TRIES) {
        this.wrongTries = 0;
        this.lockedUntil = this.deps.clock.now() + PIN_LOCK_MS;
      }
      this.current = this.pinScreen(true);
      return;
    }
    this.current = this.pinScreen(false);
  }

  private pinChangeAction(action: Action): void {
    const step = this.current.screen === 'service-pin-change' ? this.current.step : 'new';
    if (action.type === 'pin-digit' && this.entry.length < MAX_PIN_DIGITS) this.entry += String(action.digit % 10);
    else if (action.type === 'pin-clear') this.entry = '';
    else if (action.type === 'pin-enter') {
      if (step === 'new') {
        if (this.entry.length < MIN_PIN_DIGITS) {
          this.entry = '';
          this.current = { screen: 'service-pin-change', step: 'new', digits: 0, result: 'too-short' };
          return;
        }
        this.newPin = this.entry;
        this.entry = '';
        this.current = { screen: 'service-pin-change', step: 'confirm', digits: 0 };
        return;
      }
      const pin = this.newPin;
      const same = this.entry === pin;
      this.entry = '';
      this.newPin = '';
      if (!same) {
        this.current = { screen: 'service-pin-change', step: 'new', digits: 0, result: 'mismatch' };
        return;
      }
      const salt = hex8(this.deps.random.uint32()) + hex8(this.deps.random.uint32());
      this.deps.secrets.setPinHash(hashPin(pin, salt));
      this.deps.log.info('service mode: PIN changed');
      this.current = { screen: 'service-pin-change', step: 'new', digits: 0, result: 'changed' };
      return;
    }
    this.current = { screen: 'service-pin-change', step, digits: this.entry.length };
  }

  private open(item: string): void {
    switch (item) {
      case 'outputs':
        this.current = { screen: 'service-outputs', page: 0, pages: this.pages(this.deps.config?.catalog.length ?? 0, OUTPUT_ROWS) };
        return;
      case 'restock':
        this.current = { screen: 'service-restock', page: 0, pages: this.pages(this.deps.config?.catalog.length ?? 0, RESTOCK_PRODUCTS_PER_PAGE) };
        return;
      case 'status':
        this.current = { screen: 'service-status', status: this.statusView(), queue: this.queueView() };
        return;
      case 'log':
        this.current = this.logScreen(0);
        return;
      case 'refund':
        this.current = this.refundScreen(0);
        return;
      case 'pin':
        this.entry = '';
        this.current = { screen: 'service-pin-change', step: 'new', digits: 0 };
        return;
      default:
        return;
    }
  }

  private pages(count: number, perPage: number): number {
    return Math.max(1, Math.ceil(count / perPage));
  }

  private turnPage(delta: number): void {
    const screen = this.current;
    if (screen.screen === 'service-outputs' || screen.screen === 'service-restock' || screen.screen === 'service-log' || screen.screen === 'service-refund') {
      const page = (screen.page + delta + screen.pages) % screen.pages;
      if (screen.screen === 'service-outputs' || screen.screen === 'service-restock') this.current = { ...screen, page };
      else if (screen.screen === 'service-log') this.current = this.logScreen(page);
      else this.current = this.refundScreen(page);
    }
  }

  private logScreen(page: number): ServiceScreen {
    const entries = this.deps.journal.salesLog().reverse();
    const pages = this.pages(entries.length, LOG_ENTRIES_PER_PAGE);
    const at = Math.min(page, pages - 1);
    return { screen: 'service-log', page: at, pages, entries: entries.slice(at * LOG_ENTRIES_PER_PAGE, (at + 1) * LOG_ENTRIES_PER_PAGE) };
  }

  private refundScreen(page: number): ServiceScreen & { screen: 'service-refund' } {
    const captured = this.deps.journal.salesLog().reverse().filter((entry) => entry.outcome === 'captured');
    const refunded = new Set(this.deps.journal.salesLog().filter((entry) => entry.outcome === 'refunded').map((entry) => entry.reference));
    const candidates: SalesLogEntry[] = captured.filter((entry) => !refunded.has(entry.reference));
    const pages = this.pages(candidates.length, REFUND_ENTRIES_PER_PAGE);
    const at = Math.min(page, pages - 1);
    return { screen: 'service-refund', page: at, pages, candidates: candidates.slice(at * REFUND_ENTRIES_PER_PAGE, (at + 1) * REFUND_ENTRIES_PER_PAGE) };
  }

  private async fire(productId: string): Promise<void> {
    const product = this.deps.config?.catalog.find((candidate) => candidate.id === productId);
    const output = this.deps.outputs.get(productId);
    if (!product || !output) return;
    this.deps.log.info(`service mode: test-fire pin ${product.output.pin} (${product.id})`);
    this.deps.journal.appendLog({ time: Math.floor(this.deps.wallTime() / 1000), product: product.id, amount: 0, reference: `test-pin-${product.output.pin}`, outcome: 'test-fire' });
    try {
      await output.pulse(product.output.pulseMs);
      if (this.current.screen === 'service-outputs') this.current = { ...this.current, lastFired: product.id };
    } catch (error) {
      this.deps.log.error(`test-fire pin ${product.output.pin}: ${(error as Error).message}`);
    }
    this.deps.changed();
  }

  private restock(productId: string, delta: number): void {
    const product = this.deps.config?.catalog.find((candidate) => candidate.id === productId);
    if (!product) return;
    const now = this.deps.journal.stockOf(productId) ?? product.stock ?? 0;
    const units = Math.max(0, Math.min(9999, now + delta));
    this.deps.journal.setStock(productId, units);
    this.deps.log.info(`service mode: stock of ${productId} set to ${units}`);
    this.clearFault(productId);
  }

  private toggleSoldOut(productId: string): void {
    const product = this.deps.config?.catalog.find((candidate) => candidate.id === productId);
    if (!product) return;
    if (this.clearFault(productId)) return;
    const wasSoldOut = this.deps.journal.soldOutOverride(productId) ?? product.soldOut;
    this.deps.journal.setSoldOut(productId, !wasSoldOut);
    this.deps.log.info(`service mode: ${productId} ${wasSoldOut ? 'back on sale' : 'sold out'}`);
  }

  /** The operator restocked the product or pressed its fault button: the fault is cleared (the sensor is checked again at the next sale). */
  private clearFault(productId: string): boolean {
    const fault = this.deps.journal.productFault(productId);
    if (!fault) return false;
    this.deps.journal.setProductFault(productId, undefined);
    this.deps.log.info(`service mode: ${productId} ${fault} fault cleared`);
    return true;
  }

  private refund(reference: string): void {
    const entry = this.deps.journal.salesLog().find((candidate) => candidate.reference === reference && candidate.outcome === 'captured');
    if (!entry || this.pendingRefund) return;
    this.pendingRefund = reference;
    this.deps.log.info(`service mode: refund of ${reference} queued`);
    this.deps.settlements.add({ operation: 'refund', reference, amount: entry.amount, currency: this.deps.config?.currency ?? 'NOK', product: entry.product, time: entry.time, overdue: false });
  }

  private statusView(): StatusView {
    const config = this.deps.config;
    const settings = config
      ? [
          `posId: ${config.posId}`,
          `currency: ${config.currency}`,
          `brand: ${config.brand}`,
          `languages: ${config.languages.join(', ')}`,
          `products: ${config.catalog.length}`,
          `client secret: ****`,
          `subscription key: ****`,
          `PIN: ${this.deps.secrets.pinHash() ? 'set' : 'not set'}`,
        ]
      : ['configuration invalid'];
    return { ...this.deps.status(), baseUrl: this.deps.baseUrl, settings };
  }

  private queueView() {
    return this.deps.journal.queue.map((item) => ({ reference: item.reference, operation: item.operation, amount: item.amount, overdue: item.overdue, late: this.deps.settlements.isLate(item), tries: this.deps.settlements.triesOf(item) }));
  }
}
