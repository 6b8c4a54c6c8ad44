// The vending machine's controller: one sale at a time, from the tap to the capture, under the
// money rules of design.md. Events come in (a touch action, a timer, a status read, power-on);
// the controller journals before every side effect, changes its view, and tells the host to redraw.
// It never draws and never touches a platform: everything comes in through ports.
import { EpaymentError, isApiError } from 'epayment/errors';
import { pollUntilFinal, type Poll } from 'epayment/poll';
import { isReserved } from 'epayment/reserved';
import type { Currency, PaymentStatus } from 'epayment/types';
import { sleep, type Clock, type TimerHandle } from 'ports/clock';
import type { InputPin, OutputPin, Pins } from 'ports/io';
import type { Log } from 'ports/log';
import type { Random } from 'ports/random';
import type { SecretStore } from 'ports/secrets';
import type { KeyValueStore } from 'ports/store';
import type { Language, MachineConfig, Product } from 'app/config/machine-config';
import { applyCatalogEdit } from 'app/config/catalog-edit';
import { lastGoodOutputs, rememberOutputs } from 'app/config/last-outputs';
import { ConfigError, validateMachineConfig } from 'app/config/validate';
import { IDLE_PRODUCTS_PER_PAGE } from 'app/layout';
import { SaleJournal, type OpenSale, type QueueItem } from 'app/sale/journal';
import type { PaymentApi } from 'app/sale/payment-api';
import { makeReference } from 'app/sale/reference';
import { recoverOpenSale } from 'app/sale/recovery';
import { ServiceMode } from 'app/sale/service-mode';
import { cancelledOutcome, Settlements, SETTLEMENT_TIMING, summary, type SettlementTiming } from 'app/sale/settlements';
import type { Action, MachineView, OutOfServiceReason, ProductSummary, RecoveryNotice, SaleOutcome, SaleScreen } from 'app/sale/view';

export interface MachineTiming {
  pollFirstMs: number;
  pollIntervalMs: number;
  /** Polling stops this long after the payment's estimated expiry at the latest. */
  pollMarginMs: number;
  /** How long result screens stay before idle. */
  resultScreenMs: number;
  /** How long the idle screen tells about the sale recovery finished. */
  noticeMs: number;
  /** How long the reversing screen waits for the service to confirm before it hands over. */
  reversingMs: number;
  /** Token: retry after a failed warm-up, doubling up to the max. */
  tokenRetryMs: number;
  tokenRetryMaxMs: number;
  /** Pauses between customer-facing cancel tries. */
  cancelRetryMs: number;
  /** While the journal's store fails: how often it is read and written again. */
  journalRetryMs: number;
  settlements: SettlementTiming;
}

export const MACHINE_TIMING: MachineTiming = {
  pollFirstMs: 5_000,
  pollIntervalMs: 2_000,
  pollMarginMs: 60_000,
  resultScreenMs: 8_000,
  noticeMs: 60_000,
  reversingMs: 20_000,
  tokenRetryMs: 10_000,
  tokenRetryMaxMs: 300_000,
  cancelRetryMs: 2_000,
  journalRetryMs: 30_000,
  settlements: SETTLEMENT_TIMING,
};

/**
 * Short waits for tests, the soak and the simulator run (the desktop's --fast, the firmware's
 * testTiming=1): polls every 500 ms (the floor of 120 reads a minute), brief result screens, quick retries.
 */
export const FAST_TIMING: Partial<MachineTiming> = {
  pollFirstMs: 500,
  pollIntervalMs: 500,
  resultScreenMs: 1000,
  noticeMs: 3000,
  reversingMs: 3000,
  tokenRetryMs: 1000,
  tokenRetryMaxMs: 5000,
  cancelRetryMs: 500,
  journalRetryMs: 1000,
  settlements: { retryMs: 500, maxRetryMs: 3000, lockedRetryMs: 500, overdueRetryMs: 10_000, cancelFailuresOutOfService: 5, notFoundRetryMs: 1000 },
};

export interface MachineDeps {
  /** The machine configuration as read (JSON); validated here. */
  config: unknown;
  /** A problem the host found that makes any configuration unusable (e.g. test settings in a release build): out of service ('config') with it. */
  refuseConfig?: string;
  /** The ePayment client; undefined when no credentials are provisioned. */
  api: PaymentApi | undefined;
  store: KeyValueStore;
  clock: Clock;
  /** Wall time, epoch milliseconds (the sales log); defaults to clock.now. */
  wallTime?: () => number;
  random: Random;
  pins: Pins;
  secrets: SecretStore;
  log: Log;
  /** The base URL is production: no TEST mark. */
  production?: boolean;
  /** Overrides the reference generator (the pay command's --reference). */
  reference?: (counter: number) => string;
  timing?: Partial<MachineTiming>;
}

/** What the desktop's /state and the device's console report. */
export interface MachineStatus {
  state: SaleScreen['screen'];
  reference?: string;
  inService: boolean;
  outOfService?: OutOfServiceReason;
  detail?: string;
  /** late: a capture pending over 24 h or within 48 h of its guarantee (the operator must act). */
  pending: { operation: string; reference: string; amount: number; overdue: boolean; late: boolean; tries: number }[];
  /** How many of the pending captures are late. */
  lateCaptures: number;
  /** `stock`: units left per counted product; `failure`: the store's last error while it lasts. */
  journal: { openSale?: OpenSale; counter: number; writes: number; stock: Record<string, number>; failure?: string };
}

type Race = { kind: 'final'; status: PaymentStatus } | { kind: 'poll-error'; error: unknown } | { kind: 'cancel' } | { kind: 'walk-away' };

/** A signal a sale waits on: the customer's Cancel button. */
class Signal {
  private resolve: () => void = () => {};
  fired = false;
  readonly promise = new Promise<void>((resolve) => { this.resolve = resolve; });
  fire(): void {
    if (this.fired) return;
    this.fired = true;
    this.resolve();
  }
}

export class VendingMachine {
  readonly config: MachineConfig | undefined;
  readonly journal: SaleJournal;
  private readonly api: PaymentApi | undefined;
  private readonly clock: Clock;
  private readonly wallTime: () => number;
  private readonly random: Random;
  private readonly log: Log;
  private readonly timing: MachineTiming;
  private readonly settlements: Settlements;
  private readonly service: ServiceMode;
  private readonly outputs = new Map<string, OutputPin>();
  private readonly sensors = new Map<string, InputPin>();
  private readonly listeners: (() => void)[] = [];
  private readonly configProblem: string | undefined;
  private readonly production: boolean;
  private readonly referenceFor: ((counter: number) => string) | undefined;

  private screen: SaleScreen;
  private language: Language = 'en';
  private page = 0;
  private notice: RecoveryNotice | undefined;
  private network = true;
  private clockSet = true;
  private touchOk = true;
  private timeServer: string | undefined;
  private tokenOk = false;
  private started = false;
  private stopped = false;
  private recovering = false;
  private saleRunning = false;
  private cancelSignal: Signal | undefined;
  private screenTimer: TimerHandle | undefined;
  private idleTimer: TimerHandle | undefined;
  private tokenTimer: TimerHandle | undefined;
  private journalTimer: TimerHandle | undefined;
  private tokenRetryMs: number;
  private activePoll: Poll | undefined;

  constructor(deps: MachineDeps) {
    this.api = deps.api;
    this.clock = deps.clock;
    this.wallTime = deps.wallTime ?? (() => deps.clock.now());
    this.random = deps.random;
    this.log = deps.log;
    this.timing = { ...MACHINE_TIMING, ...deps.timing };
    this.tokenRetryMs = this.timing.tokenRetryMs;
    let config: MachineConfig | undefined;
    try {
      if (deps.refuseConfig) throw new ConfigError([deps.refuseConfig]);
      config = validateMachineConfig(deps.config);
    } catch (error) {
      this.configProblem = error instanceof ConfigError ? error.message : 'unreadable configuration';
      this.log.error(`configuration: ${this.configProblem}`);
    }
    this.config = config;
    this.language = config?.languages[0] ?? 'en';
    // Outputs first: each is driven to its inactive level the moment it is made.
    if (config) {
      for (const product of config.catalog) {
        this.outputs.set(product.id, deps.pins.output({ pin: product.output.pin, activeLow: product.output.activeLow }));
      }
      for (const product of config.catalog) {
        const sensor = product.dropSensor;
        if (sensor) this.sensors.set(product.id, deps.pins.input({ pin: sensor.pin, mode: sensor.mode, activeLow: sensor.activeLow }));
      }
      if (!rememberOutputs(deps.store, config)) this.log.warn('could not keep the outputs of this configuration for a bad one later');
    } else {
      // A bad configuration: the last good one's outputs, off, so their drivers do not float. Never pulsed.
      const held = lastGoodOutputs(deps.store);
      for (const spec of held) {
        try {
          deps.pins.output(spec);
        } catch (error) {
          this.log.error(`output ${spec.pin}: ${(error as Error).message}`);
        }
      }
      if (held.length > 0) this.log.info(`configuration invalid: outputs ${held.map((spec) => spec.pin).join(', ')} of the last good one held off`);
    }
    const stock: Record<string, number> = {};
    for (const product of config?.catalog ?? []) if (product.stock !== undefined) stock[product.id] = product.stock;
    this.journal = new SaleJournal(deps.store, { posId: config?.posId ?? '', currency: config?.currency ?? 'NOK', stock });
    this.settlements = new Settlements(this.journal, this.api, this.clock, this.wallTime, this.log, {
      settled: (item, outcome) => this.onSettled(item, outcome),
      overdue: (item) => {
        this.log.error(`capture ${item.reference} overdue: the service refuses it for now; retried hourly`);
        this.journal.updateLog(item.reference, 'capture-overdue');
      },
      late: () => this.refresh(),
      changed: () => this.refresh(),
    }, this.timing.settlements, {
      canSend: () => this.network && this.clockSet,
      createLandsWithinMs: (this.api?.createWindowMs(config?.createDeadlineMs) ?? 0) + (config?.qrTimeLimitSeconds ?? 600) * 1000,
    });
    this.service = new ServiceMode({
      journal: this.journal,
      config,
      clock: this.clock,
      random: this.random,
      secrets: deps.secrets,
      log: this.log,
      outputs: this.outputs,
      settlements: this.settlements,
      status: () => this.statusLines(),
      baseUrl: this.api?.baseUrl ?? 'none',
      wallTime: this.wallTime,
      changed: () => this.refresh(),
    });
    this.production = deps.production === true;
    this.referenceFor = deps.reference;
    this.screen = { screen: 'out-of-service', reason: 'recovering' };
  }

  /** Boot: finish whatever the journal says was open, then warm the token and sell. */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (!this.config) {
      this.refresh();
      return;
    }
    // Each step on its own: a failure in one (a store that throws, a bug) never stops the rest.
    this.recovering = true;
    this.step('recovery', () => this.recoverJournal());
    this.recovering = false;
    this.step('free space', () => this.journal.hasRoomForSale());
    this.screen = this.idleScreen();
    this.step('token', () => void this.warmToken());
    this.refresh();
  }

  private step(name: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.log.error(`boot: ${name}: ${(error as Error).message}`);
    }
  }

  /** Hands the open sale (if any) to the queue by its phase, then works on every queued item; acts on memory when the store fails. */
  private recoverJournal(): void {
    const open = this.journal.openSale;
    if (open) {
      const { item, notice } = recoverOpenSale(open, this.clock.now() + this.timing.noticeMs);
      this.log.warn(`recovery: sale ${open.reference} was open in phase ${open.phase}; queued ${item.operation}`);
      // The log first: a cut after it leaves the sale open, and the next boot updates the same entry.
      this.logSale(open, item.operation === 'capture' ? 'capture-pending' : 'cancel-pending');
      this.journal.handOver(item);
      this.notice = notice;
    }
    // Items that were queued before the cut, and the one just handed over.
    for (const item of this.journal.queue) this.settlements.track(item);
  }

  /** While the store fails: read and write again from memory now and then; a record read for the first time is recovered. */
  private watchJournal(): void {
    if (this.journalTimer !== undefined || this.stopped || !this.started) return;
    if (this.journal.failure === undefined && this.journal.readAll) return;
    this.journalTimer = this.clock.setTimeout(() => {
      this.journalTimer = undefined;
      const unread = !this.journal.readAll;
      this.step('journal retry', () => {
        this.journal.retry();
        if (unread && this.journal.readAll && !this.saleRunning) this.recoverJournal();
        this.journal.hasRoomForSale();
      });
      this.refresh();
    }, this.timing.journalRetryMs);
  }

  /** Stops every timer: the machine is switched off (tests and the desktop's power cut). */
  stop(): void {
    this.stopped = true;
    this.settlements.stop();
    this.activePoll?.cancel();
    for (const timer of [this.screenTimer, this.idleTimer, this.tokenTimer, this.journalTimer]) if (timer !== undefined) this.clock.clearTimeout(timer);
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  get view(): MachineView {
    const screen = this.service.active ? this.service.screen : this.screen;
    return { language: this.language, testMode: !this.production, sale: screen, products: this.productSummaries() };
  }

  status(): MachineStatus {
    const reason = this.outOfServiceReason();
    const current = this.screen as { reference?: string };
    const result: MachineStatus = {
      state: this.view.sale.screen,
      inService: reason === undefined,
      pending: this.journal.queue.map((item) => ({ operation: item.operation, reference: item.reference, amount: item.amount, overdue: item.overdue, late: this.settlements.isLate(item), tries: this.settlements.triesOf(item) })),
      lateCaptures: this.journal.queue.filter((item) => this.settlements.isLate(item)).length,
      journal: { counter: this.journal.nextCounter, writes: this.journal.writes, stock: this.stockCounts() },
    };
    if (current.reference !== undefined) result.reference = current.reference;
    if (reason) result.outOfService = reason;
    const detail = this.outOfServiceDetail(reason);
    if (detail) result.detail = detail;
    if (this.journal.failure) result.journal.failure = this.journal.failure;
    const open = this.journal.openSale;
    if (open) result.journal.openSale = open;
    return result;
  }

  setNetwork(up: boolean): void {
    if (this.network === up) return;
    this.network = up;
    this.log.info(`network ${up ? 'up' : 'down'}`);
    if (up) {
      this.settlements.kick();
      if (!this.tokenOk) void this.warmToken();
    }
    this.refresh();
  }

  setClockSet(set: boolean): void {
    if (this.clockSet === set) return;
    this.clockSet = set;
    if (set) {
      // What waited for the clock goes now, not at its next backoff.
      this.settlements.kick();
      if (!this.tokenOk) void this.warmToken();
    }
    this.refresh();
  }

  /** The NTP server that answered the last sync, for the service status screen. */
  setTimeServer(server: string | undefined): void {
    if (this.timeServer === server) return;
    this.timeServer = server;
    this.refresh();
  }

  /**
   * Whether the touch panel answers (the host's touch reader tells every change). Without it no
   * customer could choose or cancel: out of service ('touch') until it is back. A sale under way
   * and the recovery go on: they need no touch.
   */
  setTouch(ok: boolean): void {
    if (this.touchOk === ok) return;
    this.touchOk = ok;
    this.log.info(`touch ${ok ? 'back' : 'gone'}`);
    this.refresh();
  }

  /** A touch target's action (hit-testing lives in the screens). */
  act(action: Action): void {
    if (this.stopped) return;
    this.touched();
    if (this.service.active) {
      this.service.act(action);
      if (!this.service.active) this.screen = this.idleScreen();
      this.refresh();
      return;
    }
    switch (action.type) {
      case 'service':
        if (!this.saleRunning) this.service.enter();
        break;
      case 'select':
        void this.trySell(action.product);
        break;
      case 'page': {
        const pages = this.pageCount();
        this.page = (this.page + action.delta + pages) % pages;
        if (this.screen.screen === 'idle') this.screen = this.idleScreen();
        break;
      }
      case 'language':
        if (this.config?.languages.includes(action.language)) this.language = action.language;
        break;
      case 'cancel':
        this.cancelSignal?.fire();
        break;
      case 'dismiss':
        // OK on a result screen, or on the idle screen's note about the previous sale.
        if (this.screen.screen === 'idle') this.notice = undefined;
        if (!this.saleRunning) this.screen = this.idleScreen();
        break;
      default:
        break;
    }
    this.refresh();
  }

  /**
   * A catalog edit from the fleet (app/config/catalog-edit): names, prices, stock and sold-out
   * flags. Only between sales, and never while the operator is in service mode ('busy': the caller
   * tries again later). Stock and sold out act as a restock at the machine would; the caller
   * persists the configuration returned.
   */
  applyCatalog(edit: unknown): { result: 'applied'; config: MachineConfig } | { result: 'refused'; reason: string } | { result: 'busy' } {
    const config = this.config;
    if (!config) return { result: 'refused', reason: this.configProblem ?? 'no configuration' };
    if (this.saleRunning || this.journal.openSale || this.service.active) return { result: 'busy' };
    let next: MachineConfig;
    try {
      next = applyCatalogEdit(config, edit);
    } catch (error) {
      return { result: 'refused', reason: error instanceof ConfigError ? error.message : (error as Error).message };
    }
    for (const product of config.catalog) {
      const edited = next.catalog.find((candidate) => candidate.id === product.id)!;
      product.names = edited.names;
      product.price = edited.price;
      if (edited.stock !== undefined && edited.stock !== this.journal.stockOf(product.id)) this.journal.setStock(product.id, edited.stock);
      if (edited.stock !== undefined) product.stock = edited.stock;
      if (edited.soldOut !== (this.journal.soldOutOverride(product.id) ?? product.soldOut)) this.journal.setSoldOut(product.id, edited.soldOut);
      product.soldOut = edited.soldOut;
    }
    this.log.info('catalog changed from the fleet');
    this.refresh();
    return { result: 'applied', config };
  }

  /**
   * The fleet relayed the service's word that a payment changed (a verified `down/payment`). A
   * hint, never a fact: for the payment on screen, the poll reads it at once and its answer goes
   * the normal way (nothing is released without that read); anything else is dropped.
   */
  paymentPushed(reference: string, state: string): void {
    const poll = this.activePoll;
    if (this.stopped || !poll || this.journal.openSale?.reference !== reference) {
      this.log.info(`push ${reference} ${state}: not the payment being polled; dropped`);
      return;
    }
    this.log.info(`push ${reference} ${state}: reading it now`);
    poll.readNow();
  }

  // ---- the sale ----

  private productById(id: string): Product | undefined {
    return this.config?.catalog.find((product) => product.id === id);
  }

  private available(product: Product): boolean {
    if (this.journal.productFault(product.id)) return false;
    if (this.journal.soldOutOverride(product.id) ?? product.soldOut) return false;
    const stock = this.journal.stockOf(product.id) ?? product.stock;
    return stock === undefined || stock > 0;
  }

  private async trySell(productId: string): Promise<void> {
    const product = this.productById(productId);
    // Nothing new while a sale is still open in memory (its record may not have reached the store).
    if (!product || !this.api || this.saleRunning || this.journal.openSale || this.outOfServiceReason() || !this.available(product)) return;
    if (!this.journal.hasRoomForSale() || this.sensorStuck(product)) {
      this.refresh();
      return;
    }
    this.saleRunning = true;
    try {
      await this.sell(product, this.api);
    } catch (error) {
      // A bug in a sale must not leave money behind: whatever is open is handed to the queue.
      this.log.error(`sale: ${(error as Error).message}`);
      // (Read again: the sale has opened since the check above.)
      const open = this.journal.openSale as OpenSale | undefined;
      if (open && !this.stopped) {
        // The journal never throws: the item is queued in memory even when the store fails.
        const { item } = recoverOpenSale(open, 0);
        this.logSale(open, item.operation === 'capture' ? 'capture-pending' : 'cancel-pending');
        this.journal.handOver(item);
        this.settlements.track(item);
        this.showResult({ screen: 'error', product: open.product, reference: open.reference, charged: 'unknown' });
      }
    } finally {
      this.saleRunning = false;
      this.cancelSignal = undefined;
      this.activePoll = undefined;
      this.refresh();
    }
  }

  private async sell(product: Product, api: PaymentApi): Promise<void> {
    const config = this.config!;
    const reference = this.referenceFor?.(this.journal.nextCounter) ?? makeReference(config.posId, this.journal.nextCounter, this.random);
    const amount = { currency: config.currency as Currency, value: product.price };
    const sale: OpenSale = { reference, product: product.id, amount: product.price, currency: config.currency, phase: 'create', time: Math.floor(this.wallTime() / 1000) };
    if (!this.journal.beginSale(sale)) {
      // Not on the store: a payment made now could be lost at a cut. Nothing was sent, nothing is owed.
      this.log.error(`journal: sale ${reference} not recorded (${this.journal.failure ?? 'store error'}); no payment made`);
      this.journal.closeSale();
      this.showResult({ screen: 'error', product: product.id, reference, charged: 'no' });
      return;
    }
    this.show({ screen: 'creating', product: product.id });

    const name = product.names[config.languages[0]] ?? product.id;
    const create = api.createPayment({
      reference,
      amount,
      description: paymentDescription(name),
      receipt: {
        orderLines: [{ id: product.id, name: paymentDescription(name), totalAmount: product.price, taxRate: product.vatRate, quantity: 1 }],
        posId: config.posId,
        receiptNumber: String(this.journal.nextCounter - 1),
      },
      ...(product.minimumUserAge === undefined ? {} : { minimumUserAge: product.minimumUserAge }),
    }, { deadlineMs: config.createDeadlineMs });
    const created = await this.withDeadline(create, config.createDeadlineMs);
    if (this.stopped) return;
    if (created.kind === 'timeout') {
      // The create may still reach the service: cancel it once it has settled, so no QR nobody saw can be paid.
      this.log.warn(`create ${reference}: no answer within ${config.createDeadlineMs} ms; cancelling`);
      this.handOver(sale, 'cancel', create);
      this.showResult({ screen: 'error', product: product.id, reference, charged: 'unknown' });
      return;
    }
    if (created.kind === 'error') {
      const error = created.error;
      this.log.warn(`create ${reference}: ${summary(error)}`);
      if (isApiError(error, 409) || (error instanceof EpaymentError && error.kind === 'invalid-request') || isApiError(error, 400)) {
        // Refused, or the reference is somebody else's payment: nothing of ours exists; touch nothing.
        this.endSale(sale, 'failed');
        this.showResult({ screen: 'error', product: product.id, reference, charged: 'no' });
        return;
      }
      // The settled create says whether any of its tries can still land (a 404 is final when none can).
      this.handOver(sale, 'cancel', create);
      this.showResult({ screen: 'error', product: product.id, reference, charged: 'unknown' });
      return;
    }

    const expiresAt = this.clock.now() + config.qrTimeLimitSeconds * 1000;
    this.show({ screen: 'payment', product: product.id, reference, redirectUrl: created.value.redirectUrl, expiresAt, cancelling: false });
    await this.awaitPayment(sale, product, api, expiresAt);
  }

  /** Polls until the payment is final, the customer cancels, or walks away; then settles the sale. */
  private async awaitPayment(sale: OpenSale, product: Product, api: PaymentApi, expiresAt: number): Promise<void> {
    const config = this.config!;
    const cancel = new Signal();
    this.cancelSignal = cancel;
    let walkAwayTried = false;
    let cancelHandled = false;
    let firstDelayMs = this.timing.pollFirstMs;
    for (;;) {
      const deadlineMs = Math.max(1_000, expiresAt + this.timing.pollMarginMs - this.clock.now());
      const poll = pollUntilFinal(api, sale.reference, { clock: this.clock, firstDelayMs, intervalMs: this.timing.pollIntervalMs, deadlineMs });
      this.activePoll = poll;
      let walkTimer: TimerHandle | undefined;
      const walkAway = new Promise<Race>((resolve) => {
        if (walkAwayTried) return;
        const due = config.walkAwayTimeoutSeconds * 1000 - (this.clock.now() - (expiresAt - config.qrTimeLimitSeconds * 1000));
        walkTimer = this.clock.setTimeout(() => resolve({ kind: 'walk-away' }), Math.max(0, due));
      });
      const race = await Promise.race<Race>([
        poll.result.then((status): Race => ({ kind: 'final', status }), (error: unknown): Race => ({ kind: 'poll-error', error })),
        // After the customer's cancel was answered 423, polling decides; the button has done its job.
        cancelHandled ? new Promise<Race>(() => {}) : cancel.promise.then((): Race => ({ kind: 'cancel' })),
        walkAway,
      ]);
      if (walkTimer !== undefined) this.clock.clearTimeout(walkTimer);
      poll.cancel();
      // No poll to hurry while the sale acts on what it read (a push now is dropped).
      this.activePoll = undefined;
      if (this.stopped) return;
      firstDelayMs = this.timing.pollIntervalMs;

      if (race.kind === 'final') {
        await this.onFinal(sale, product, api, race.status, cancel.fired);
        return;
      }
      if (race.kind === 'poll-error') {
        // Not final, not known: nobody may be left with money reserved. Cancel in the background.
        this.log.warn(`poll ${sale.reference}: ${summary(race.error)}; cancelling`);
        this.handOver(sale, 'cancel');
        this.showResult({ screen: 'error', product: product.id, reference: sale.reference, charged: 'unknown' });
        return;
      }
      if (race.kind === 'cancel') {
        cancelHandled = true;
        walkAwayTried = true;
        const next = await this.customerCancel(sale, product, api, expiresAt);
        if (next === 'done') return;
        // 423: the customer is in the app; keep watching until the payment is final.
        continue;
      }
      // Walked away: cancel only if not authorized; 6060 means they just paid.
      walkAwayTried = true;
      const next = await this.walkAway(sale, product, api);
      if (next === 'done') return;
    }
  }

  /** A final status: release and capture if the money is reserved, otherwise say what happened. */
  private async onFinal(sale: OpenSale, product: Product, api: PaymentApi, status: PaymentStatus, customerCancelled: boolean): Promise<void> {
    if (status.state === 'AUTHORIZED') {
      if (customerCancelled) {
        // They pressed Cancel and then approved in the app: they asked for nothing; give the money back.
        await this.reverse(sale, product, api, 'cancelled');
        return;
      }
      if (!isReserved(status)) {
        // Authorized but nothing left to take (cancelled or captured elsewhere): no product.
        this.log.warn(`payment ${sale.reference} is authorized with nothing reserved`);
        this.endSale(sale, 'failed');
        this.showResult({ screen: 'error', product: product.id, reference: sale.reference, charged: status.aggregate.capturedAmount.value > 0 ? 'unknown' : 'no' });
        return;
      }
      await this.releaseAndCapture(sale, product, api);
      return;
    }
    const outcome: SaleOutcome = status.state === 'ABORTED' ? 'aborted' : status.state === 'EXPIRED' ? 'expired' : 'terminated';
    this.endSale(sale, outcome);
    const screen = status.state === 'ABORTED' ? 'aborted' : status.state === 'EXPIRED' ? 'expired' : 'cancelled';
    this.showResult({ screen, product: product.id, reference: sale.reference });
  }

  private async releaseAndCapture(sale: OpenSale, product: Product, api: PaymentApi): Promise<void> {
    if (this.sensorStuck(product)) {
      // Its drop sensor already reads a drop: it could not tell this one. Nothing is released.
      await this.reverse(sale, product, api, 'not-charged');
      return;
    }
    // The release and its unit of stock in one write; a release the journal does not hold is not made.
    if (!this.journal.setPhase('release', this.journal.stockOf(product.id) !== undefined)) {
      this.log.error(`journal: release of ${sale.reference} not recorded (${this.journal.failure ?? 'store error'}); cancelling`);
      await this.reverse(sale, product, api, 'not-charged');
      return;
    }
    this.show({ screen: 'releasing', product: product.id, reference: sale.reference });
    const released = await this.release(product);
    if (this.stopped) return;
    if (!released) {
      this.log.warn(`release of ${product.id} for ${sale.reference} not confirmed; cancelling`);
      await this.reverse(sale, product, api, 'not-charged');
      return;
    }
    this.journal.setPhase('capture');
    const amount = { currency: sale.currency as Currency, value: sale.amount };
    let outcome: SaleOutcome = 'capture-pending';
    try {
      const captured = await api.capture(sale.reference, amount);
      if (captured.aggregate.capturedAmount.value >= sale.amount) outcome = 'captured';
    } catch (error) {
      this.log.warn(`capture ${sale.reference}: ${summary(error)}; queued`);
    }
    if (this.stopped) return;
    if (outcome === 'captured') this.endSale(sale, outcome);
    else this.handOver(sale, 'capture');
    this.showResult({ screen: 'thank-you', product: product.id, reference: sale.reference });
  }

  /** Pulses the product's output and waits for its drop sensor; false when the release failed. */
  private async release(product: Product): Promise<boolean> {
    const output = this.outputs.get(product.id)!;
    const sensor = this.sensors.get(product.id);
    // Watch before pulsing: the product may fall before the pulse ends.
    const dropped = sensor ? sensor.waitForDrop(product.dropSensor!.timeoutMs) : Promise.resolve(true);
    try {
      await output.pulse(product.output.pulseMs);
    } catch (error) {
      this.log.error(`output ${product.output.pin}: ${(error as Error).message}`);
      return false;
    }
    return dropped;
  }

  /**
   * A level drop sensor that reads active before the pulse cannot tell a drop (a product stuck in
   * the beam): the product goes out of sale, journalled, until the operator clears it in service mode.
   */
  private sensorStuck(product: Product): boolean {
    const sensor = this.sensors.get(product.id);
    if (!sensor || product.dropSensor?.mode !== 'level') return false;
    let active: boolean;
    try {
      active = sensor.isActive();
    } catch {
      active = true; // a sensor that cannot be read cannot confirm a drop either
    }
    if (!active) return false;
    this.log.error(`drop sensor ${sensor.pin} of ${product.id} reads active before a release: out of sale until cleared in service mode`);
    this.journal.setProductFault(product.id, 'sensor');
    return true;
  }

  /** The customer pressed Cancel: a full cancel, so nothing is charged whatever the payment does. */
  private async customerCancel(sale: OpenSale, product: Product, api: PaymentApi, expiresAt: number): Promise<'done' | 'watch'> {
    this.journal.setPhase('cancel');
    this.show({ screen: 'payment', product: product.id, reference: sale.reference, redirectUrl: (this.screen as { redirectUrl?: string }).redirectUrl ?? '', expiresAt, cancelling: true });
    const result = await this.tryCancel(sale.reference, api);
    if (this.stopped) return 'done';
    if (result.kind === 'locked') {
      this.show({ screen: 'finish-in-app', product: product.id, reference: sale.reference, expiresAt });
      return 'watch';
    }
    if (result.kind === 'settled') {
      this.endSale(sale, result.outcome);
      this.showResult({ screen: result.outcome === 'aborted' ? 'aborted' : result.outcome === 'expired' ? 'expired' : 'cancelled', product: product.id, reference: sale.reference });
      return 'done';
    }
    this.handOver(sale, 'cancel');
    this.showReversing(sale, product);
    return 'done';
  }

  /** Nobody authorized in time: cancel the transaction only; 6060 says the customer has just paid. */
  private async walkAway(sale: OpenSale, product: Product, api: PaymentApi): Promise<'done' | 'watch'> {
    this.journal.setPhase('cancel');
    try {
      const status = await api.cancel(sale.reference, { cancelTransactionOnly: true }, { attempts: 1 });
      const outcome = cancelledOutcome(status);
      if (outcome) {
        this.endSale(sale, outcome === 'cancelled' ? 'terminated' : outcome);
        this.showResult({ screen: 'expired', product: product.id, reference: sale.reference });
        return 'done';
      }
    } catch (error) {
      // 6060: paid just now; 423: paying right now. Otherwise unknown. Either way the next read decides.
      if (isApiError(error, undefined, '6060') || isApiError(error, 423)) this.log.info(`walk-away ${sale.reference}: ${summary(error)}; the customer is paying`);
      else this.log.warn(`walk-away cancel ${sale.reference}: ${summary(error)}`);
    }
    // Watch on; polling ends at the payment's expiry and the rules take over from there.
    this.journal.setPhase('create');
    return 'watch';
  }

  /** Gives the money back after a failed release or a cancel-then-approve; tells the customer once the service confirms. */
  private async reverse(sale: OpenSale, product: Product, api: PaymentApi, confirmed: 'not-charged' | 'cancelled'): Promise<void> {
    // Nothing came out: the unit goes back to stock in the same write.
    this.journal.setPhase('cancel', false);
    this.showReversing(sale, product);
    const result = await this.tryCancel(sale.reference, api);
    if (this.stopped) return;
    if (result.kind === 'settled' && result.outcome !== 'captured') {
      this.endSale(sale, 'cancelled');
      this.showResult({ screen: confirmed, product: product.id, reference: sale.reference });
      return;
    }
    this.handOver(sale, 'cancel');
    this.showReversing(sale, product);
  }

  /** A few quick tries of a full cancel while the customer watches; the answer is read, never guessed. */
  private async tryCancel(reference: string, api: PaymentApi): Promise<{ kind: 'settled'; outcome: SaleOutcome } | { kind: 'locked' } | { kind: 'unknown' }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const status = await api.cancel(reference, {}, { attempts: 1 });
        const outcome = cancelledOutcome(status);
        if (outcome) return { kind: 'settled', outcome };
      } catch (error) {
        if (isApiError(error, 423)) return { kind: 'locked' };
        if (isApiError(error, 404)) return { kind: 'settled', outcome: 'cancelled' };
        this.log.warn(`cancel ${reference}: ${summary(error)}`);
      }
      if (this.stopped) return { kind: 'unknown' };
      try {
        const status = await api.getPayment(reference, { attempts: 1 });
        const outcome = cancelledOutcome(status);
        if (outcome) return { kind: 'settled', outcome };
      } catch {
        // unknown: try again
      }
      await sleep(this.clock, this.timing.cancelRetryMs);
      if (this.stopped) return { kind: 'unknown' };
    }
    return { kind: 'unknown' };
  }

  /** The open sale becomes a queued item (journalled) and the background settles it. */
  private handOver(sale: OpenSale, operation: 'capture' | 'cancel', after?: Promise<unknown>): void {
    const item: QueueItem = { operation, reference: sale.reference, amount: sale.amount, currency: sale.currency, product: sale.product, time: sale.time, overdue: false };
    this.logSale(sale, operation === 'capture' ? 'capture-pending' : 'cancel-pending');
    this.journal.handOver(item);
    this.settlements.track(item, after);
  }

  /** The sale's outcome in the log, then the sale closed: a cut in between leaves it open for recovery, never out of the log. */
  private endSale(sale: OpenSale, outcome: SaleOutcome): void {
    this.logSale(sale, outcome);
    this.journal.closeSale();
  }

  /** One log entry per sale: the existing one (written before a cut) is updated, not doubled. */
  private logSale(sale: OpenSale, outcome: SaleOutcome): void {
    if (!this.journal.updateLog(sale.reference, outcome)) {
      this.journal.appendLog({ time: sale.time, product: sale.product, amount: sale.amount, reference: sale.reference, outcome });
    }
  }

  private onSettled(item: QueueItem, outcome: SaleOutcome): void {
    if (item.operation !== 'refund' && !this.journal.updateLog(item.reference, outcome)) {
      this.journal.appendLog({ time: item.time, product: item.product, amount: item.amount, reference: item.reference, outcome });
    }
    this.service.settled(item, outcome);
    if (item.operation === 'refund') this.journal.appendLog({ time: Math.floor(this.wallTime() / 1000), product: item.product, amount: item.amount, reference: item.reference, outcome: outcome === 'refunded' ? 'refunded' : 'failed' });
    const current = this.screen as { screen: string; reference?: string; product?: string };
    if (current.reference === item.reference && (current.screen === 'reversing' || current.screen === 'error') && item.operation === 'cancel' && outcome !== 'captured') {
      this.showResult({ screen: current.screen === 'reversing' ? 'not-charged' : 'error', product: item.product, reference: item.reference, ...(current.screen === 'error' ? { charged: 'no' as const } : {}) } as SaleScreen);
    }
    if (this.notice?.reference === item.reference) {
      this.notice = { ...this.notice, outcome: item.operation === 'capture' ? 'completed' : 'cancelled' };
      if (this.screen.screen === 'idle') this.screen = this.idleScreen();
    }
  }

  private showReversing(sale: OpenSale, product: Product): void {
    this.show({ screen: 'reversing', product: product.id, reference: sale.reference });
    // Do not hold the customer forever: after a while the machine moves on; the queue goes on.
    this.setScreenTimer(this.timing.reversingMs);
  }

  private withDeadline<T>(promise: Promise<T>, ms: number): Promise<{ kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' }> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve({ kind: 'timeout' }), ms);
      promise.then(
        (value) => { this.clock.clearTimeout(timer); resolve({ kind: 'value', value }); },
        (error: unknown) => { this.clock.clearTimeout(timer); resolve({ kind: 'error', error }); },
      );
    });
  }

  // ---- screens and service ----

  private show(screen: SaleScreen): void {
    if (this.screenTimer !== undefined) this.clock.clearTimeout(this.screenTimer);
    this.screenTimer = undefined;
    this.screen = screen;
    this.refresh();
  }

  private showResult(screen: SaleScreen): void {
    this.show(screen);
    this.setScreenTimer(this.timing.resultScreenMs);
  }

  private setScreenTimer(ms: number): void {
    if (this.screenTimer !== undefined) this.clock.clearTimeout(this.screenTimer);
    this.screenTimer = this.clock.setTimeout(() => {
      this.screenTimer = undefined;
      if (this.saleRunning && this.screen.screen !== 'reversing') return;
      this.screen = this.idleScreen();
      this.refresh();
    }, ms);
  }

  private touched(): void {
    if (this.idleTimer !== undefined) this.clock.clearTimeout(this.idleTimer);
    const seconds = this.config?.idleTimeoutSeconds ?? 60;
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = undefined;
      if (this.saleRunning) return;
      this.page = 0;
      this.language = this.config?.languages[0] ?? 'en';
      if (this.service.active) this.service.exit();
      if (this.screen.screen === 'idle') this.screen = this.idleScreen();
      this.refresh();
    }, seconds * 1000);
  }

  private pageCount(): number {
    return Math.max(1, Math.ceil((this.config?.catalog.length ?? 0) / IDLE_PRODUCTS_PER_PAGE));
  }

  private idleScreen(): SaleScreen {
    const notice = this.notice && this.notice.until > this.clock.now() ? this.notice : undefined;
    if (!notice) this.notice = undefined;
    const pages = this.pageCount();
    return notice ? { screen: 'idle', page: Math.min(this.page, pages - 1), pages, notice } : { screen: 'idle', page: Math.min(this.page, pages - 1), pages };
  }

  private productSummaries(): ProductSummary[] {
    return (this.config?.catalog ?? []).map((product) => {
      const stock = this.journal.stockOf(product.id) ?? product.stock;
      const summary: ProductSummary = { id: product.id, price: product.price, soldOut: !this.available(product) };
      if (stock !== undefined) summary.stock = stock;
      const fault = this.journal.productFault(product.id);
      if (fault) summary.fault = fault;
      return summary;
    });
  }

  /** Why the machine cannot sell right now, most fundamental first; undefined when it can. */
  private outOfServiceReason(): OutOfServiceReason | undefined {
    if (!this.config) return 'config';
    if (!this.api) return 'credentials';
    if (this.journal.failure !== undefined || !this.journal.readAll) return 'journal';
    if (this.recovering) return 'recovering';
    if (!this.touchOk) return 'touch';
    if (!this.clockSet) return 'clock';
    if (!this.network) return 'network';
    if (!this.tokenOk) return 'token';
    const worstReference = `${this.config.posId}-${this.journal.nextCounter + 1_000_000}-xxxxxx`;
    if (!this.journal.queueHasRoom(worstReference)) return 'queue-full';
    if (this.settlements.cancelFailing) return 'cancel-failing';
    if (this.config.catalog.every((product) => !this.available(product))) return 'sold-out';
    return undefined;
  }

  /** Recomputes what idle shows and tells the host. */
  private refresh(): void {
    if (!this.saleRunning && this.started) {
      const reason = this.outOfServiceReason();
      if (reason && (this.screen.screen === 'idle' || this.screen.screen === 'out-of-service')) {
        const detail = this.outOfServiceDetail(reason);
        this.screen = detail ? { screen: 'out-of-service', reason, detail } : { screen: 'out-of-service', reason };
      } else if (!reason && this.screen.screen === 'out-of-service') {
        this.screen = this.idleScreen();
      }
    } else if (!this.started && !this.config) {
      this.screen = { screen: 'out-of-service', reason: 'config', ...(this.configProblem ? { detail: this.configProblem } : {}) };
    }
    this.watchJournal();
    for (const listener of this.listeners) listener();
  }

  private outOfServiceDetail(reason: OutOfServiceReason | undefined): string | undefined {
    if (reason === 'config') return this.configProblem;
    if (reason === 'journal') return this.journal.failure ?? 'journal not read yet';
    return undefined;
  }

  private stockCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const product of this.config?.catalog ?? []) {
      const units = this.journal.stockOf(product.id);
      if (units !== undefined) counts[product.id] = units;
    }
    return counts;
  }

  private async warmToken(): Promise<void> {
    if (!this.api || this.stopped) return;
    if (this.tokenTimer !== undefined) this.clock.clearTimeout(this.tokenTimer);
    this.tokenTimer = undefined;
    try {
      await this.api.warmUp({ attempts: 1 });
      this.tokenOk = true;
      const freshForMs = this.api.tokenFreshForMs();
      // Renewed (or not due yet): again when due, off the customer's path. A renewal that failed
      // while the current token is still usable backs off like any failure.
      const next = freshForMs > 0 ? Math.max(1000, freshForMs) : this.tokenRetryMs;
      if (freshForMs > 0) this.tokenRetryMs = this.timing.tokenRetryMs;
      else this.tokenRetryMs = Math.min(this.tokenRetryMs * 2, this.timing.tokenRetryMaxMs);
      if (!this.stopped) this.tokenTimer = this.clock.setTimeout(() => void this.warmToken(), next);
    } catch (error) {
      this.log.warn(`access token: ${summary(error)}`);
      this.tokenOk = this.api.tokenFreshForMs() > 0;
      const retry = this.tokenRetryMs;
      this.tokenRetryMs = Math.min(this.tokenRetryMs * 2, this.timing.tokenRetryMaxMs);
      if (!this.stopped) this.tokenTimer = this.clock.setTimeout(() => void this.warmToken(), retry);
    }
    this.refresh();
  }

  private statusLines() {
    return {
      network: this.network,
      clockSet: this.clockSet,
      ...(this.timeServer !== undefined ? { timeServer: this.timeServer } : {}),
      tokenFreshSeconds: Math.round((this.api?.tokenFreshForMs() ?? 0) / 1000),
      api: this.settlements.lastResult,
    };
  }
}

/** paymentDescription takes 3-100 characters. */
function paymentDescription(name: string): string {
  const clean = name.replace(/[\x00-\x1f\x7f]/g, '').trim();
  const padded = clean.length >= 3 ? clean : `${clean} - item`.trim();
  return padded.length > 100 ? padded.slice(0, 100) : padded;
}
