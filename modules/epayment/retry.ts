// Which failures are worth another try, and how long to wait first. Every retried call carries the
// same idempotency key, so a retry of a request that did reach the service cannot act twice.
import type { RetryPolicy } from 'epayment/config';
import { ApiError, EpaymentError, TransportError, UnexpectedResponseError } from 'epayment/errors';
import { sleep, type Clock } from 'ports/clock';
import type { Log } from 'ports/log';

/**
 * Retried: no or broken answer (network, timeout, too large, unparseable body), 5xx, 408, 423
 * (locked), 429 (slow down), and the configured "try again" ErrorCodes. Other 4xx are final, and
 * so is a well-formed answer of the wrong shape (trying again would get the same), and so is an
 * answer with one of the policy's final ErrorCodes, whatever its status.
 */
export function isRetryable(error: unknown, policy: RetryPolicy): boolean {
  if (error instanceof TransportError) return true;
  if (error instanceof UnexpectedResponseError) return error.reason === 'unparseable';
  if (error instanceof ApiError) {
    if (error.code !== undefined && policy.finalCodes.includes(error.code)) return false;
    const s = error.status;
    if (s >= 500 || s === 408 || s === 423 || s === 429) return true;
    return error.code !== undefined && policy.retryableCodes.includes(error.code);
  }
  return false;
}

/** The wait before retry number `retry` (1 for the first retry); `rateLimited` counts 429s in a row. */
export function retryDelayMs(error: unknown, retry: number, rateLimited: number, policy: RetryPolicy, random: () => number): number {
  if (error instanceof ApiError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  if (error instanceof ApiError && error.status === 429) {
    return Math.min(policy.rateLimitDelayMs * 2 ** Math.max(0, rateLimited - 1), policy.maxRetryAfterMs);
  }
  const backoff = Math.min(policy.baseDelayMs * 2 ** (retry - 1), policy.maxDelayMs);
  return Math.round(backoff * (1 + policy.jitter * random()));
}

export interface RetryContext {
  policy: RetryPolicy;
  attempts: number;
  clock: Clock;
  log: Log;
  random: () => number;
  what: string;
  /** Clock time after which no retry starts. */
  endAt?: number;
}

export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) return `HTTP ${error.status}${error.code ? ` ErrorCode ${error.code}` : ''}`;
  if (error instanceof TransportError || error instanceof UnexpectedResponseError) return error.kind;
  return 'error';
}

/** The try may still be on its way to (or inside) the service: no answer, or only a gateway's. */
export function unanswered(error: unknown): boolean {
  if (error instanceof TransportError) return error.kind !== 'too-large';
  if (error instanceof ApiError) return error.status === 502 || error.status === 504;
  if (error instanceof UnexpectedResponseError) return false;
  // Refused before sending; anything else (a bug) may have sent something.
  return !(error instanceof EpaymentError && (error.kind === 'invalid-request' || error.kind === 'config'));
}

/** Runs `attempt` until it succeeds, fails for good, or the tries are used up; throws the last error. */
export async function withRetries<T>(context: RetryContext, attempt: () => Promise<T>): Promise<T> {
  const { policy, attempts, clock, log, random, what, endAt } = context;
  let rateLimited = 0;
  let unansweredTries = 0;
  const giveUp = (error: unknown) => {
    if (error instanceof EpaymentError) error.unansweredTries = unansweredTries;
    return error;
  };
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (unanswered(error)) unansweredTries++;
      if (tried >= attempts || !isRetryable(error, policy)) throw giveUp(error);
      rateLimited = error instanceof ApiError && error.status === 429 ? rateLimited + 1 : 0;
      const delay = retryDelayMs(error, tried, rateLimited, policy, random);
      // Told to wait longer than a call may take: give the error to the caller, who can come back later.
      if (delay > policy.maxRetryAfterMs) throw giveUp(error);
      // The next try would start past the call's deadline: this error is the answer.
      if (endAt !== undefined && clock.now() + delay >= endAt) throw giveUp(error);
      log.warn(`${what}: try ${tried} of ${attempts} failed (${describeFailure(error)}); retrying in ${delay} ms`);
      await sleep(clock, delay);
    }
  }
}
