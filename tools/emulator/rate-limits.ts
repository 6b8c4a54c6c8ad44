// The service's rate limits, counted per operation and reference over a sliding minute of emulator
// time: create, capture, cancel and refund 5 a minute each, get payment and get event log 120 a
// minute each (the ePayment guide's "Rate limiting" table). Refused calls do not count.
import type { Clock } from './clock';
import type { RateLimits } from './types';

export const REAL_RATE_LIMITS: RateLimits = { modificationsPerMinute: 5, getsPerMinute: 120 };
const WINDOW_MS = 60_000;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  take(bucket: string, limit: number): RateDecision {
    const now = this.clock.now();
    const recent = (this.calls.get(bucket) ?? []).filter((at) => at > now - WINDOW_MS);
    if (recent.length >= limit) {
      this.calls.set(bucket, recent);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - now) / 1000)) };
    }
    recent.push(now);
    this.calls.set(bucket, recent);
    return { allowed: true };
  }

  clear(): void {
    this.calls.clear();
  }
}
