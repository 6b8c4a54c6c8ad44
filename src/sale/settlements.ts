// The background queue: captures, cancels and refunds that must still reach the service. Every
// item is in the journal before its first attempt, so it survives reboots; every attempt carries
// the same idempotency key, so retries can never act twice. An answer that was lost is never
// guessed at: the payment is read, and the service's record decides. Nothing is tried while the
// machine is offline or its clock is not set (such a try could not leave the machine, so it does
// not count toward the backoff); both coming back wake the queue.
import { ApiError, EpaymentError, isApiError } from 'epayment/errors';
import { idempotencyKey } from 'epayment/idempotency';
import { isReserved, reservedAmount } from 'epayment/reserved';
import type { Currency, PaymentStatus } from 'epayment/types';
import type { Clock, TimerHandle } from 'ports/clock';
import type { Log } from 'ports/log';
import type { PaymentApi } from 'app/sale/payment-api';
import type { QueueItem, SaleJournal } from 'app/sale/journal';
import type { SaleOutcome } from 'app/sale/view';

export interface SettlementTiming {
  /** First retry after a failure; doubles per failure up to maxRetryMs. */
  retryMs: number;
  maxRetryMs: number;
  /** While the customer is in the app (423). */
  lockedRetryMs: number;
  /** An overdue capture (6260, or past captureGuaranteedUntil). */
  overdueRetryMs: number;
  /** Consecutive failures of one cancel before the machine stops selling. */
  cancelFailuresOutOfService: number;
  /** A cancel's payment is not there (404) but its create may still land: look again this often. */
  notFoundRetryMs: number;
}

export const SETTLEMENT_TIMING: SettlementTiming = {
  retryMs: 5_000,
  maxRetryMs: 15 * 60_000,
  lockedRetryMs: 5_000,
  overdueRetryMs: 60 * 60_000,
  cancelFailuresOutOfService: 5,
  notFoundRetryMs: 15_000,
};

/** A capture pending this long after its sale, or this close to its guarantee, is late: the operator must act. */
export const CAPTURE_LATE_AFTER_MS = 24 * 3600_000;
export const CAPTURE_LATE_BEFORE_GUARANTEE_MS = 48 * 3600_000;

export interface SettlementGates {
  /** A request can leave the machine now: the network is up and the clock is set. */
  canSend(): boolean;
  /**
   * From a sale's start, how long its create may still land at the service: the client's whole
   * create window plus the payment's lifetime. A 404 before then is "not there yet".
   */
  createLandsWithinMs: number;
}

export interface SettlementListener {
  /** The item left the queue with this outcome (the log and the screens follow). */
  settled(item: QueueItem, outcome: SaleOutcome): void;
  /** A capture became overdue: the operator must hear of it. */
  overdue(item: QueueItem): void;
  /** A capture became late (pending over 24 h, or near its guarantee): the operator must hear of it. */
  late(item: QueueItem): void;
  /** The queue or its health changed (out of service is recomputed). */
  changed(): void;
}

type Attempt = { done: SaleOutcome } | { retryInMs: number; failed: boolean; overdue?: boolean };

const itemKey = (item: Pick<QueueItem, 'operation' | 'reference'>) => `${item.operation} ${item.reference}`;

export class Settlements {
  private readonly tries = new Map<string, number>();
  private readonly dueAt = new Map<string, number>();
  private readonly waitFor = new Map<string, Promise<unknown>>();
  /** Cancels whose payment is known to be this machine's (its CREATED event carries our key). */
  private readonly ours = new Set<string>();
  /** Cancels whose create was answered 409: the reference is somebody else's payment. */
  private readonly foreign = new Set<string>();
  /** Cancels whose create failed with every try answered: nothing of it can still land, so a 404 is final. */
  private readonly cannotLand = new Set<string>();
  /** Wall time a cancel without a known sale time was first tried in this boot. */
  private readonly firstTried = new Map<string, number>();
  /** Captures reported late, and the guarantee each was last read with. */
  private readonly lateCaptures = new Set<string>();
  private readonly guarantees = new Map<string, number>();
  private timer: TimerHandle | undefined;
  private busy = false;
  private stopped = false;
  /** Consecutive failures of the cancel that fails most. */
  private worstCancelFailures = 0;
  /** The last answer's summary, for the status screen. */
  lastResult = 'none';

  constructor(
    private readonly journal: SaleJournal,
    private readonly api: PaymentApi | undefined,
    private readonly clock: Clock,
    private readonly wallTime: () => number,
    private readonly log: Log,
    private readonly listener: SettlementListener,
    private readonly timing: SettlementTiming = SETTLEMENT_TIMING,
    private readonly gates: SettlementGates = { canSend: () => true, createLandsWithinMs: 0 },
  ) {}

  get size(): number {
    return this.journal.queue.length;
  }

  /** A cancel keeps failing: the machine should not take new money it may not be able to give back. */
  get cancelFailing(): boolean {
    return this.worstCancelFailures >= this.timing.cancelFailuresOutOfService;
  }

  triesOf(item: QueueItem): number {
    return this.tries.get(itemKey(item)) ?? 0;
  }

  /** A capture pending over 24 h since its sale, or within 48 h of its guarantee. */
  isLate(item: QueueItem): boolean {
    return this.lateCaptures.has(itemKey(item));
  }

  /** Journals the item, then works on it; `after` (a create still in flight) must settle first. */
  add(item: QueueItem, after?: Promise<unknown>): void {
    this.journal.enqueue(item);
    this.track(item, after);
  }

  /** The item is already in the journal (handed over by the sale, or found at boot). */
  track(item: QueueItem, after?: Promise<unknown>): void {
    const key = itemKey(item);
    if (after) {
      // Answered 409 after all: the reference is somebody else's payment, and must not be touched.
      const settledAfter = after.then(() => undefined, (error: unknown) => {
        if (isApiError(error, 409)) this.foreign.add(key);
        if (error instanceof EpaymentError && error.unansweredTries === 0) this.cannotLand.add(key);
      });
      this.waitFor.set(key, settledAfter);
      settledAfter.then(() => {
        if (this.waitFor.get(key) === settledAfter) this.waitFor.delete(key);
        this.schedule(0);
      });
    }
    this.dueAt.set(key, this.clock.now());
    this.listener.changed();
    this.schedule(0);
  }

  /** Works on every item now (the network came back, or the clock was set). */
  kick(): void {
    const now = this.clock.now();
    for (const item of this.journal.queue) {
      const key = itemKey(item);
      if (!item.overdue) this.dueAt.set(key, Math.min(this.dueAt.get(key) ?? now, now));
    }
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.busy) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.runDue();
    }, delayMs);
  }

  private nextDelay(): number | undefined {
    let earliest: number | undefined;
    for (const item of this.journal.queue) {
      const key = itemKey(item);
      if (this.waitFor.has(key)) continue;
      const at = this.dueAt.get(key) ?? this.clock.now();
      if (earliest === undefined || at < earliest) earliest = at;
    }
    return earliest === undefined ? undefined : Math.max(0, earliest - this.clock.now());
  }

  private async runDue(): Promise<void> {
    // Offline or clockless nothing can leave; kick() starts again when both are back.
    if (this.stopped || this.busy || !this.api || !this.gates.canSend()) return;
    const now = this.clock.now();
    const item = this.journal.queue.find((candidate) => {
      const key = itemKey(candidate);
      return !this.waitFor.has(key) && (this.dueAt.get(key) ?? now) <= now;
    });
    if (item) {
      this.busy = true;
      try {
        await this.work(item);
      } catch (error) {
        // A bug must not stop the queue: log it and try the item again later.
        this.log.error(`settlement ${itemKey(item)}: ${(error as Error).message}`);
        this.dueAt.set(itemKey(item), this.clock.now() + this.timing.maxRetryMs);
      } finally {
        this.busy = false;
      }
    }
    if (this.stopped) return;
    const delay = this.nextDelay();
    if (delay !== undefined) this.schedule(delay);
  }

  private async work(item: QueueItem): Promise<void> {
    const key = itemKey(item);
    const attempt = await this.attempt(item);
    if (this.stopped) return;
    if ('done' in attempt) {
      this.tries.delete(key);
      this.dueAt.delete(key);
      this.ours.delete(key);
      this.foreign.delete(key);
      this.cannotLand.delete(key);
      this.firstTried.delete(key);
      this.lateCaptures.delete(key);
      this.guarantees.delete(key);
      if (item.operation === 'cancel') this.worstCancelFailures = 0;
      this.journal.dequeue(item.reference, item.operation);
      this.log.info(`settled ${key}: ${attempt.done}`);
      this.listener.settled(item, attempt.done);
      this.listener.changed();
      return;
    }
    // The machine went offline (or lost its clock) meanwhile: not the service's failure; again once back.
    if (!this.gates.canSend()) {
      this.dueAt.set(key, this.clock.now());
      this.listener.changed();
      return;
    }
    const tries = (this.tries.get(key) ?? 0) + (attempt.failed ? 1 : 0);
    this.tries.set(key, tries);
    if (item.operation === 'capture') this.checkLate(item);
    if (attempt.overdue && !item.overdue) {
      this.journal.markOverdue(item.reference);
      this.listener.overdue(item);
    }
    if (item.operation === 'cancel' && attempt.failed) this.worstCancelFailures = Math.max(this.worstCancelFailures, tries);
    this.dueAt.set(key, this.clock.now() + attempt.retryInMs);
    this.listener.changed();
  }

  private backoff(item: QueueItem): number {
    const tries = this.tries.get(itemKey(item)) ?? 0;
    return Math.min(this.timing.retryMs * 2 ** tries, this.timing.maxRetryMs);
  }

  private amount(item: QueueItem) {
    return { currency: item.currency as Currency, value: item.amount };
  }

  private async read(reference: string): Promise<PaymentStatus | undefined> {
    try {
      const status = await this.api!.getPayment(reference, { attempts: 1 });
      this.lastResult = 'ok';
      return status;
    } catch (error) {
      this.lastResult = summary(error);
      return undefined;
    }
  }

  private attempt(item: QueueItem): Promise<Attempt> {
    if (item.operation === 'capture') return this.capture(item);
    if (item.operation === 'cancel') return this.cancel(item);
    return this.refund(item);
  }

  private async capture(item: QueueItem): Promise<Attempt> {
    let refused6260 = false;
    try {
      const status = await this.api!.capture(item.reference, this.amount(item), { attempts: 1 });
      this.lastResult = 'ok';
      if (status.aggregate.capturedAmount.value >= item.amount) return { done: 'captured' };
    } catch (error) {
      this.lastResult = summary(error);
      refused6260 = isApiError(error, undefined, '6260');
      this.log.warn(`capture ${item.reference}: ${summary(error)}`);
    }
    // Whatever the answer was (or was not), the payment's record decides.
    const status = await this.read(item.reference);
    if (!status) return { retryInMs: item.overdue ? this.timing.overdueRetryMs : this.backoff(item), failed: true };
    if (status.aggregate.capturedAmount.value >= item.amount) return { done: 'captured' };
    if (status.state !== 'AUTHORIZED' || reservedAmount(status) <= 0) {
      // The service cancelled it at the capture deadline: the product was released, the money is gone.
      this.log.error(`capture ${item.reference}: the service no longer holds the money (state ${status.state}); released product not paid`);
      return { done: 'capture-expired' };
    }
    const guarantee = status.captureGuaranteedUntil === undefined ? Number.NaN : Date.parse(status.captureGuaranteedUntil);
    if (Number.isFinite(guarantee)) this.guarantees.set(itemKey(item), guarantee);
    const overdue = refused6260 || item.overdue || (Number.isFinite(guarantee) && this.wallTime() > guarantee);
    if (overdue) return { retryInMs: this.timing.overdueRetryMs, failed: true, overdue: true };
    return { retryInMs: this.backoff(item), failed: true };
  }

  /** Reported once per boot: an error-level line, the service screen and the status follow isLate. */
  private checkLate(item: QueueItem): void {
    const key = itemKey(item);
    if (this.lateCaptures.has(key)) return;
    const now = this.wallTime();
    const guarantee = this.guarantees.get(key);
    const pendingTooLong = item.time > 0 && now - item.time * 1000 > CAPTURE_LATE_AFTER_MS;
    const guaranteeNear = guarantee !== undefined && guarantee - now < CAPTURE_LATE_BEFORE_GUARANTEE_MS;
    if (!pendingTooLong && !guaranteeNear) return;
    this.lateCaptures.add(key);
    const hours = item.time > 0 ? Math.floor((now - item.time * 1000) / 3600_000) : undefined;
    const guaranteeText = guarantee === undefined ? 'its guarantee unknown' : `guaranteed for ${Math.floor((guarantee - now) / 3600_000)} h more`;
    this.log.error(`capture ${item.reference} late: pending ${hours === undefined ? 'since before this boot' : `${hours} h`}, ${guaranteeText}; the operator must see to it`);
    this.listener.late(item);
  }

  /** Whose payment the reference is: ours, somebody else's (its create carries another key), not there (404), or unknown. */
  private async owner(item: QueueItem): Promise<'ours' | 'foreign' | 'missing' | 'unknown'> {
    try {
      const events = await this.api!.getEvents(item.reference, { attempts: 1 });
      this.lastResult = 'ok';
      const created = events.find((event) => event.name === 'CREATED');
      // Without a key on the event nothing says it is not ours: the customer wins, it is cancelled.
      return created?.idempotencyKey !== undefined && created.idempotencyKey !== idempotencyKey('create', item.reference) ? 'foreign' : 'ours';
    } catch (error) {
      this.lastResult = summary(error);
      return isApiError(error, 404) ? 'missing' : 'unknown';
    }
  }

  /** Until when the create of this cancel's sale may still land (wall ms). */
  private landsBy(item: QueueItem): number {
    const key = itemKey(item);
    // A record without the sale's time: counted from this boot's first try, which is later than the sale.
    let since = item.time > 0 ? (item.time + 1) * 1000 : this.firstTried.get(key);
    if (since === undefined) {
      since = this.wallTime();
      this.firstTried.set(key, since);
    }
    return since + this.gates.createLandsWithinMs;
  }

  /** 404: never created once the create can no longer land (every try answered, or its window is over); until then not there yet, so look again. */
  private notThere(item: QueueItem): Attempt {
    if (this.cannotLand.has(itemKey(item))) return { done: 'cancelled' };
    const left = this.landsBy(item) - this.wallTime();
    if (left < 0) return { done: 'cancelled' };
    return { retryInMs: Math.min(this.timing.notFoundRetryMs, left + 1), failed: false };
  }

  private async cancel(item: QueueItem): Promise<Attempt> {
    const key = itemKey(item);
    if (this.foreign.has(key)) {
      this.log.warn(`cancel ${item.reference}: the create was answered 409, the reference is somebody else's payment; nothing cancelled`);
      return { done: 'failed' };
    }
    // Read first: is it there, and is it ours? A create that was never answered may be somebody else's reference.
    if (!this.ours.has(key)) {
      const owner = await this.owner(item);
      if (owner === 'foreign') {
        this.log.warn(`cancel ${item.reference}: the payment under this reference was created by somebody else; nothing cancelled`);
        return { done: 'failed' };
      }
      if (owner === 'missing') return this.notThere(item);
      if (owner === 'unknown') return { retryInMs: this.backoff(item), failed: true };
      this.ours.add(key);
    }
    try {
      const status = await this.api!.cancel(item.reference, {}, { attempts: 1 });
      this.lastResult = 'ok';
      const outcome = cancelledOutcome(status);
      if (outcome) return { done: outcome };
    } catch (error) {
      this.lastResult = summary(error);
      if (isApiError(error, 404)) return this.notThere(item);
      // The customer is in the app, mid-authorization: ask again soon, it is not a failure.
      if (isApiError(error, 423)) return { retryInMs: this.timing.lockedRetryMs, failed: false };
      this.log.warn(`cancel ${item.reference}: ${summary(error)}`);
    }
    const status = await this.read(item.reference);
    const outcome = status && cancelledOutcome(status);
    if (outcome) return { done: outcome };
    return { retryInMs: this.backoff(item), failed: true };
  }

  private async refund(item: QueueItem): Promise<Attempt> {
    try {
      const status = await this.api!.refund(item.reference, this.amount(item), { attempts: 1 });
      this.lastResult = 'ok';
      if (status.aggregate.refundedAmount.value >= item.amount) return { done: 'refunded' };
    } catch (error) {
      this.lastResult = summary(error);
      this.log.warn(`refund ${item.reference}: ${summary(error)}`);
      const status = await this.read(item.reference);
      if (status && status.aggregate.refundedAmount.value >= item.amount) return { done: 'refunded' };
      // A refund the service refuses for good (more than was captured, say) will not get better.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 409 && error.status !== 423 && error.status !== 429) {
        this.log.error(`refund ${item.reference}: refused by the service (${summary(error)})`);
        return { done: 'failed' };
      }
    }
    return { retryInMs: this.backoff(item), failed: true };
  }
}

/** The outcome when nothing is reserved any more and nothing can be authorized later; undefined otherwise. */
export function cancelledOutcome(status: PaymentStatus): SaleOutcome | undefined {
  if (status.state === 'CREATED' || isReserved(status)) return undefined;
  if (status.aggregate.capturedAmount.value > 0) return 'captured';
  if (status.state === 'ABORTED') return 'aborted';
  if (status.state === 'EXPIRED') return 'expired';
  return 'cancelled';
}

export function summary(error: unknown): string {
  if (error instanceof ApiError) return `HTTP ${error.status}${error.code ? ` ${error.code}` : ''}`;
  if (error && typeof error === 'object' && 'kind' in error) return String((error as { kind: string }).kind);
  return 'error';
}
