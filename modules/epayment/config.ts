// What the client needs to know, with the defaults the machine runs on. resolveConfig() checks it
// once, so the request code can trust it. Config errors name the field, never its value.
import { EpaymentError } from 'epayment/errors';
import type { Log } from 'ports/log';
import { silentLog } from 'ports/log';

export const BASE_URLS = {
  production: 'https://api.vipps.no',
  test: 'https://apitest.vipps.no',
} as const;

export interface Credentials {
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  /** Merchant serial number, 4-10 digits. */
  merchantSerialNumber: string;
}

/** Sent as the four Vipps-System-* headers; at most 30 characters each. */
export interface SystemInfo {
  name: string;
  version: string;
  pluginName: string;
  pluginVersion: string;
}

export interface RetryPolicy {
  /** Total tries for one call, the first included. */
  attempts: number;
  /** Backoff before retry n is baseDelayMs * 2^(n-1), capped at maxDelayMs, with up to jitter * that added. */
  baseDelayMs: number;
  maxDelayMs: number;
  jitter: number;
  /** Wait after a 429 without Retry-After (doubling per 429 in a row). */
  rateLimitDelayMs: number;
  /** Longest wait before a retry; told (Retry-After) to wait longer, the call fails with that error instead. */
  maxRetryAfterMs: number;
  /** ErrorCodes that mean "try again" whatever the status. */
  retryableCodes: readonly string[];
  /** ErrorCodes never retried whatever the status (a 5xx included): trying again cannot help. */
  finalCodes: readonly string[];
}

export interface EpaymentConfig {
  /** Production, the test environment, or the emulator: scheme and host, no path. */
  baseUrl: string;
  credentials: Credentials;
  system?: Partial<SystemInfo>;
  /** Each HTTP exchange must finish within this. */
  requestTimeoutMs?: number;
  /** Bodies larger than this are refused. The token answer is 1-2 KB; payments a few KB. */
  maxResponseBytes?: number;
  /** Renew the token this long before it expires (capped at half its lifetime). */
  tokenRenewBeforeMs?: number;
  /**
   * A renewal while the current token is still usable gives up after this (and the current one
   * goes on): with one connection per origin a create behind it waits no longer than this.
   */
  tokenRenewTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  log?: Log;
  /** Jitter source; tests pass a fixed one. */
  random?: () => number;
}

export interface ResolvedConfig {
  baseUrl: string;
  credentials: Credentials;
  system: SystemInfo;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  tokenRenewBeforeMs: number;
  tokenRenewTimeoutMs: number;
  retry: RetryPolicy;
  log: Log;
  random: () => number;
}

export const DEFAULT_SYSTEM: SystemInfo = {
  name: 'qr-vending',
  version: '0.1.0',
  pluginName: 'epayment-client',
  pluginVersion: '0.1.0',
};

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  jitter: 0.2,
  rateLimitDelayMs: 2_000,
  maxRetryAfterMs: 30_000,
  // 6160: locked, try again; 6280: "Capture failed, please try again later".
  retryableCodes: ['6160', '6280'],
  // 6260: "Funds unavailable". Final for now: the caller reports it; a blind retry would only repeat it.
  finalCodes: ['6260'],
};

export const DEFAULTS = {
  requestTimeoutMs: 10_000,
  maxResponseBytes: 16_384,
  tokenRenewBeforeMs: 300_000,
  tokenRenewTimeoutMs: 2_000,
} as const;

const MSN = (): RegExp => /^[0-9]{4,10}$/;
// A header value must not be able to start another header.
const HEADER_SAFE = (): RegExp => /^[\x20-\x7e]*$/;

function configError(message: string): EpaymentError {
  return new EpaymentError('config', `epayment config: ${message}`);
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw configError(`${name} must be a positive number`);
  return value;
}

export function resolveConfig(config: EpaymentConfig): ResolvedConfig {
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#\s]+$/.test(baseUrl)) throw configError('baseUrl must be http(s)://host[:port] without a path');
  const c = config.credentials;
  for (const field of ['clientId', 'clientSecret', 'subscriptionKey', 'merchantSerialNumber'] as const) {
    const value = c[field];
    if (typeof value !== 'string' || value.length === 0) throw configError(`credentials.${field} is missing`);
    if (!HEADER_SAFE().test(value)) throw configError(`credentials.${field} has characters a header cannot carry`);
  }
  if (!MSN().test(c.merchantSerialNumber)) throw configError('credentials.merchantSerialNumber must be 4-10 digits');
  const system = { ...DEFAULT_SYSTEM, ...config.system };
  for (const field of ['name', 'version', 'pluginName', 'pluginVersion'] as const) {
    if (system[field].length > 30 || !HEADER_SAFE().test(system[field])) throw configError(`system.${field} must be at most 30 printable characters`);
  }
  const retry = { ...DEFAULT_RETRY, ...config.retry };
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1) throw configError('retry.attempts must be an integer >= 1');
  return {
    baseUrl,
    credentials: { ...c },
    system,
    requestTimeoutMs: positive('requestTimeoutMs', config.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs),
    maxResponseBytes: positive('maxResponseBytes', config.maxResponseBytes ?? DEFAULTS.maxResponseBytes),
    tokenRenewBeforeMs: config.tokenRenewBeforeMs ?? DEFAULTS.tokenRenewBeforeMs,
    tokenRenewTimeoutMs: positive('tokenRenewTimeoutMs', config.tokenRenewTimeoutMs ?? DEFAULTS.tokenRenewTimeoutMs),
    retry,
    log: config.log ?? silentLog,
    random: config.random ?? Math.random,
  };
}
