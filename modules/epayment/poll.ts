// Polling the payment's status while the QR is shown, as the API guidelines ask: the first read
// about 5 s after the QR appears, then every 2 s, slower after a 429, and stop at a final state.
// An error is never a state: transient failures are reported and polling goes on; a failure that
// will not go away ends the poll with that error. The caller can abandon it with cancel().
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
  /** Give up (with a 'timeout' error, never a state) after this long; default: never. */
  deadlineMs?: number;
  /** Every status read, final or not. */
  onState?(status: PaymentStatus): void;
  /** Every failed read that polling survives. */
  onError?(error: unknown): void;
}

export interface Poll {
  /** The first final status read; rejects on cancel(), on a lasting error or at the deadline. */
  readonly result: Promise<PaymentStatus>;
  /** Stops polling; `result` rejects with kind 'cancelled'. A read in flight is ignored. */
  cancel(): void;
  /** Status reads sent so far. */
  readonly reads: number;
}

export const POLL_DEFAULTS = { firstDelayMs: 5_000, intervalMs: 2_000, maxIntervalMs: 10_000 } as const;
const MIN_INTERVAL_MS = 500;
// Polling waits out even a long Retry-After, within reason: the customer may still approve.
const MAX_POLL_RETRY_AFTER_MS = 60_000;

export function pollUntilFinal(reader: StatusReader, reference: string, options: PollOptions): Poll {
  const { clock, onState, onError } = options;
  const firstDelayMs = options.firstDelayMs ?? POLL_DEFAULTS.firstDelayMs;
  const maxIntervalMs = options.maxIntervalMs ?? POLL_DEFAULTS.maxIntervalMs;
  let intervalMs = options.intervalMs ?? POLL_DEFAULTS.intervalMs;
  if (intervalMs < MIN_INTERVAL_MS) throw new RangeError(`poll interval ${intervalMs} ms is under ${MIN_INTERVAL_MS} ms (120 reads a minute)`);
  const started = clock.now();

  let stopped = false;
  let timer: TimerHandle | undefined;
  let reads = 0;
  let errorsInRow = 0;
  let finish: (status: PaymentStatus) => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const result = new Promise<PaymentStatus>((resolve, reject) => {
    finish = (status) => { stopped = true; resolve(status); };
    fail = (error) => { stopped = true; reject(error); };
  });
  // A cancelled poll nobody awaits must not become an unhandled rejection.
  result.catch(() => {});

  const schedule = (delayMs: number) => {
    if (options.deadlineMs !== undefined && clock.now() + delayMs - started > options.deadlineMs) {
      fail(new EpaymentError('timeout', `poll ${reference}: no final state within ${options.deadlineMs} ms`));
      return;
    }
    timer = clock.setTimeout(read, delayMs);
  };

  const read = () => {
    timer = undefined;
    if (stopped) return;
    reads++;
    // One try per tick: the schedule here is the retry policy, so reads stay within the rate limit.
    reader.getPayment(reference, { attempts: 1 }).then(
      (status) => {
        if (stopped) return;
        errorsInRow = 0;
        onState?.(status);
        if (isFinalState(status.state)) finish(status);
        else schedule(intervalMs);
      },
      (error: unknown) => {
        if (stopped) return;
        if (!isRetryable(error, DEFAULT_RETRY) || (error instanceof UnexpectedResponseError && error.reason !== 'unparseable')) {
          fail(error);
          return;
        }
        onError?.(error);
        errorsInRow++;
        if (error instanceof ApiError && error.status === 429) {
          // Slower from now on, and not before the service says so.
          intervalMs = Math.min(intervalMs * 2, maxIntervalMs);
          schedule(Math.max(intervalMs, Math.min(error.retryAfterMs ?? 0, MAX_POLL_RETRY_AFTER_MS)));
        } else {
          schedule(Math.min(intervalMs * 2 ** (errorsInRow - 1), maxIntervalMs));
        }
      },
    );
  };

  schedule(firstDelayMs);
  return {
    result,
    cancel() {
      if (stopped) return;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      fail(new EpaymentError('cancelled', `poll ${reference}: cancelled`));
    },
    get reads() {
      return reads;
    },
  };
}
