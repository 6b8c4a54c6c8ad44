// Polling the payment's status while the QR is shown, as the API guidelines ask: the first read
// about 5 s after the QR appears, then every 2 s, slower after a 429, and stop at a final state.
// An error is never a state: transient failures are reported and polling goes on; a failure that
// will not go away ends the poll with that error. The caller can abandon it with cancel(), or ask
// for a read at once with readNow() (a push said the payment changed). A poll always ends: a
// throwing callback, a read that never settles and the deadline end it too.
import { ApiError, EpaymentError, UnexpectedResponseError } from 'epayment/errors';
import { DEFAULT_RETRY } from 'epayment/config';
import { isRetryable } from 'epayment/retry';
import { isFinalState, type CallOptions, type PaymentStatus } from 'epayment/types';
import type { Clock, TimerHandle } from 'ports/clock';

export interface StatusReader {
  getPayment(reference: string, options?: CallOptions): Promise<PaymentStatus>;
}

export interface PollOptions {
  clock: Clock;
  /** From when the QR is shown to the first read. */
  firstDelayMs?: number;
  /** Between reads. At least 500 ms: the API allows 120 GETs a minute per reference. */
  intervalMs?: number;
  /** Ceiling for the interval after 429s and errors. */
  maxIntervalMs?: number;
  /** Give up (with a 'timeout' error, never a state) after this long, a read in flight or not; default: never. */
  deadlineMs?: number;
  /**
   * A read that has not settled within this long ends the poll with a 'timeout' error (default
   * 30 s). The client's own request timeout normally ends a read first (a transient error); this
   * watchdog is for a reader that never settles at all.
   */
  readTimeoutMs?: number;
  /** Every status read, final or not. If it throws, the poll ends with that error. */
  onState?(status: PaymentStatus): void;
  /** Every failed read that polling survives. If it throws, the poll ends with that error. */
  onError?(error: unknown): void;
}

export interface Poll {
  /** The first final status read; rejects on cancel(), on a lasting error, a throwing callback, a hung read or at the deadline. */
  readonly result: Promise<PaymentStatus>;
  /** Stops polling; `result` rejects with kind 'cancelled'. A read in flight is ignored. */
  cancel(): void;
  /**
   * Read at once (a push said the payment changed), within the service's 120 reads in any minute,
   * at most one such read per 500 ms, and not before a 429's Retry-After; a no-op while a read is in
   * flight or once the poll has ended. Regular reads go on at their pace after it.
   */
  readNow(): void;
  /** Status reads sent so far. */
  readonly reads: number;
}

export const POLL_DEFAULTS = { firstDelayMs: 5_000, intervalMs: 2_000, maxIntervalMs: 10_000, readTimeoutMs: 30_000 } as const;
const MIN_INTERVAL_MS = 500;
// The service's limit: 120 reads of one payment in any minute (a sliding minute, as it counts).
const READS_PER_MINUTE = 120;
const MINUTE_MS = 60_000;
// Polling waits out even a long Retry-After, within reason: the customer may still approve.
const MAX_POLL_RETRY_AFTER_MS = 60_000;

export function pollUntilFinal(reader: StatusReader, reference: string, options: PollOptions): Poll {
  const { clock, onState, onError, deadlineMs } = options;
  const firstDelayMs = options.firstDelayMs ?? POLL_DEFAULTS.firstDelayMs;
  const maxIntervalMs = options.maxIntervalMs ?? POLL_DEFAULTS.maxIntervalMs;
  const readTimeoutMs = options.readTimeoutMs ?? POLL_DEFAULTS.readTimeoutMs;
  let intervalMs = options.intervalMs ?? POLL_DEFAULTS.intervalMs;
  if (intervalMs < MIN_INTERVAL_MS) throw new RangeError(`poll interval ${intervalMs} ms is under ${MIN_INTERVAL_MS} ms (120 reads a minute)`);
  if (!(readTimeoutMs > 0)) throw new RangeError(`poll read timeout ${readTimeoutMs} ms must be positive`);
  const started = clock.now();

  let stopped = false;
  // At most one of each is pending: the next read, the watchdog of the read in flight, the deadline.
  let timer: TimerHandle | undefined;
  let watchdog: TimerHandle | undefined;
  let deadline: TimerHandle | undefined;
  let reads = 0;
  let errorsInRow = 0;
  // When the reads of the last minute were sent (at most 120 numbers): every read keeps within them.
  const readTimes: number[] = [];
  // A pushed read waits for these: a 429's Retry-After, and 500 ms after the previous pushed read.
  let retryNotBefore = -Infinity;
  let lastPushedRead = -Infinity;
  let pushedNext = false;
  let dueAt = Infinity;
  const stop = () => {
    stopped = true;
    for (const handle of [timer, watchdog, deadline]) if (handle !== undefined) clock.clearTimeout(handle);
    timer = watchdog = deadline = undefined;
  };
  let finish: (status: PaymentStatus) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const result = new Promise<PaymentStatus>((resolve, reject) => {
    finish = (status) => { if (stopped) return; stop(); resolve(status); };
    fail = (error) => { if (stopped) return; stop(); reject(error); };
  });
  // A cancelled poll nobody awaits must not become an unhandled rejection.
  result.catch(() => {});

  const timeout = () => new EpaymentError('timeout', `poll ${reference}: no final state within ${deadlineMs} ms`);

  /** Runs a caller's callback; one that throws ends the poll with its error (a poll always ends). */
  const report = (callback: () => void): boolean => {
    try {
      callback();
    } catch (error) {
      fail(error);
    }
    return !stopped;
  };

  const schedule = (delayMs: number) => {
    if (deadlineMs !== undefined && clock.now() + delayMs - started > deadlineMs) {
      fail(timeout());
      return;
    }
    dueAt = clock.now() + delayMs;
    timer = clock.setTimeout(read, delayMs);
  };

  const answered = (status: PaymentStatus) => {
    if (stopped) return;
    clearWatchdog();
    errorsInRow = 0;
    if (onState && !report(() => onState(status))) return;
    if (isFinalState(status.state)) finish(status);
    else schedule(intervalMs);
  };

  const failed = (error: unknown) => {
    if (stopped) return;
    clearWatchdog();
    if (!isRetryable(error, DEFAULT_RETRY) || (error instanceof UnexpectedResponseError && error.reason !== 'unparseable')) {
      fail(error);
      return;
    }
    if (onError && !report(() => onError(error))) return;
    errorsInRow++;
    if (error instanceof ApiError && error.status === 429) {
      // Slower from now on, and not before the service says so.
      intervalMs = Math.min(intervalMs * 2, maxIntervalMs);
      const waitMs = Math.max(intervalMs, Math.min(error.retryAfterMs ?? 0, MAX_POLL_RETRY_AFTER_MS));
      retryNotBefore = clock.now() + waitMs;
      schedule(waitMs);
    } else {
      schedule(Math.min(intervalMs * 2 ** (errorsInRow - 1), maxIntervalMs));
    }
  };

  const clearWatchdog = () => {
    if (watchdog !== undefined) clock.clearTimeout(watchdog);
    watchdog = undefined;
  };

  const read = () => {
    timer = undefined;
    if (stopped) return;
    const now = clock.now();
    while (readTimes.length > 0 && readTimes[0]! <= now - MINUTE_MS) readTimes.shift();
    if (readTimes.length >= READS_PER_MINUTE) {
      schedule(readTimes[0]! + MINUTE_MS - now);
      return;
    }
    readTimes.push(now);
    if (pushedNext) lastPushedRead = now;
    pushedNext = false;
    reads++;
    watchdog = clock.setTimeout(() => {
      watchdog = undefined;
      fail(new EpaymentError('timeout', `poll ${reference}: a status read gave no answer within ${readTimeoutMs} ms`));
    }, readTimeoutMs);
    let pending: Promise<PaymentStatus>;
    try {
      // One try per tick: the schedule here is the retry policy, so reads stay within the rate limit.
      pending = reader.getPayment(reference, { attempts: 1 });
    } catch (error) {
      pending = Promise.reject(error);
    }
    // Neither handler throws; the catch is the backstop that keeps "a poll always ends" true.
    pending.then(answered, failed).catch(fail);
  };

  if (deadlineMs !== undefined) deadline = clock.setTimeout(() => fail(timeout()), deadlineMs);
  schedule(firstDelayMs);
  return {
    result,
    cancel() {
      fail(new EpaymentError('cancelled', `poll ${reference}: cancelled`));
    },
    readNow() {
      // A read in flight (its watchdog runs) answers soon enough; its answer schedules the next.
      if (stopped || watchdog !== undefined) return;
      const now = clock.now();
      const soonest = Math.max(now, retryNotBefore, lastPushedRead + MIN_INTERVAL_MS);
      if (timer !== undefined && dueAt <= soonest) return;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      pushedNext = true;
      schedule(soonest - now);
    },
    get reads() {
      return reads;
    },
  };
}
