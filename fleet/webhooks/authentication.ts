// A delivery's request authentication as the Webhooks API documents it: x-ms-content-sha256 is the
// base64 SHA-256 of the body, and Authorization carries base64 HMAC-SHA256(secret,
// "POST\n{pathAndQuery}\n{x-ms-date};{host};{x-ms-content-sha256}"). We also want the date recent,
// so a recorded delivery cannot be played back to us later.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How far x-ms-date may be from our clock, either way. */
export const DATE_WINDOW_MS = 5 * 60 * 1000;

const AUTHORIZATION = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=([A-Za-z0-9+/]{43}=)$/;

export const contentSha256 = (body: Buffer | string): string => createHash('sha256').update(body).digest('base64');

export function deliverySignature(secret: string, pathAndQuery: string, date: string, host: string, contentHash: string): string {
  return createHmac('sha256', secret).update(`POST\n${pathAndQuery}\n${date};${host};${contentHash}`, 'utf8').digest('base64');
}

/** The headers the service sends with a delivery to url: what our tests' sender uses. */
export function signedDeliveryHeaders(secret: string, url: string, body: Buffer | string, date = new Date()): Record<string, string> {
  const { host, pathname, search } = new URL(url);
  const dateText = date.toUTCString();
  const hash = contentSha256(body);
  return {
    'x-ms-date': dateText,
    'x-ms-content-sha256': hash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${deliverySignature(secret, pathname + search, dateText, host, hash)}`,
  };
}

export interface Delivery {
  method: string;
  pathAndQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type Authenticated = { ok: true; contentHash: string } | { ok: false; reason: string };

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? undefined : value);

/**
 * Checks a delivery against every secret we hold (one per registration, normally one). The reason
 * names what failed, never a secret or a signature. expectedHost: the host of the URL we registered.
 */
export function authenticateDelivery(delivery: Delivery, secrets: string[], nowMs: number, expectedHost?: string): Authenticated {
  if (delivery.method !== 'POST') return { ok: false, reason: 'not a POST' };
  const date = one(delivery.headers['x-ms-date']);
  const claimedHash = one(delivery.headers['x-ms-content-sha256']);
  const host = one(delivery.headers.host);
  const authorization = one(delivery.headers.authorization);
  if (!date || !claimedHash || !host || !authorization) return { ok: false, reason: 'a signed header is missing' };
  if (expectedHost !== undefined && host.toLowerCase() !== expectedHost.toLowerCase()) return { ok: false, reason: 'wrong host' };
  const dateMs = Date.parse(date);
  if (Number.isNaN(dateMs)) return { ok: false, reason: 'x-ms-date is not a date' };
  if (Math.abs(dateMs - nowMs) > DATE_WINDOW_MS) return { ok: false, reason: 'x-ms-date outside the window' };
  const contentHash = contentSha256(delivery.body);
  if (!equal(claimedHash, contentHash)) return { ok: false, reason: 'the body does not match x-ms-content-sha256' };
  const given = AUTHORIZATION.exec(authorization)?.[1];
  if (!given) return { ok: false, reason: 'Authorization is not HMAC-SHA256 over x-ms-date;host;x-ms-content-sha256' };
  if (secrets.length === 0) return { ok: false, reason: 'no registration secret held' };
  const matches = secrets.some((secret) => equal(given, deliverySignature(secret, delivery.pathAndQuery, date, host, contentHash)));
  return matches ? { ok: true, contentHash } : { ok: false, reason: 'wrong signature' };
}

/** Constant-time for strings of equal length; the lengths themselves are no secret. */
function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
