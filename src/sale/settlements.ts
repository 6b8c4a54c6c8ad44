// The background queue: captures, cancels and refunds that must still reach the service. Every
// item is in the journal before its first attempt, so it survives reboots; every attempt carries
// the same idempotency key, so retries can never act twice. An answer that was lost is never
// guessed at: the payment is read, and the service's record decides.
import { ApiError, isApiError } from 'epayment/errors';
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
}

export const SETTLEMENT_TIMING: SettlementTiming = {
  retryMs: 5_000,
  maxRetryMs: 15 * 60_000,
  lockedRetryMs: 5_000,
  overdueRetryMs: 60 * 60_000,
  cancelFailuresOutOfService: 5,
};

export interface SettlementListener {
  /** The item left the queue with this outcome (the log and the screens follow). */
  settled(item: QueueItem, outcome: SaleOutcome): void;
  /** A capture became overdue: the operator must hear of it. */
  overdue(item: QueueItem): void;
  /** The queue or its health changed (out of service is recomputed). */
  changed(): void;
}

type Attempt = { done: SaleOutcome } | { retryInMs: number; failed: boolean; overdue?: boolean };

const itemKey = (item: Pick<QueueItem, 'operation' | 'reference'>) => `${item.operation} ${item.reference}`;

export class Settlements {
  private readonly tries = new Map<string, number>();
  private readonly dueAt = new Map<string, number>();
  private readonly waitFor = new Map<string, Promise<unknown>>();
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

  /** Journals the item, then works on it; `after` (a create still in flight) must settle first. */
  add(item: QueueItem, after?: Promise<unknown>): void {
    this.journal.enqueue(item);
    this.track(item, after);
  }

  /** The item is already in the journal (handed over by the sale, or found at boot). */
  track(item: QueueItem, after?: Promise<unknown>): void {
    const key = itemKey(item);
    if (after) {
      const settledAfter = after.then(() => undefined, () => undefined);
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

  /** Works on every item now (the network came back, or the machine started). */
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
    if (this.stopped || this.busy || !this.api) return;
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
      if (item.operation === 'cancel') this.worstCancelFailures = 0;
      this.journal.dequeue(item.reference, item.operation);
      this.log.info(`settled ${key}: ${attempt.done}`);
      this.listener.settled(item, attempt.done);
      this.listener.changed();
      return;
    }
    const tries = (this.tries.get(key) ?? 0) + (attempt.failed ? 1 : 0);
    this.tries.set(key, tries);
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
    const overdue = refused6260 || item.overdue || (Number.isFinite(guarantee) && this.wallTime() > guarantee);
    if (overdue) return { retryInMs: this.timing.overdueRetryMs, failed: true, overdue: true };
    return { retryInMs: this.backoff(item), failed: true };
  }

  private async cancel(item: QueueItem): Promise<Attempt> {
    try {
      const status = await this.api!.cancel(item.reference, {}, { attempts: 1 });
      this.lastResult = 'ok';
      const outcome = cancelledOutcome(status);
      if (outcome) return { done: outcome };
    } catch (error) {
      this.lastResult = summary(error);
      // Never created: nothing to give back.
      if (isApiError(error, 404)) return { done: 'cancelled' };
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
