// Messages down are signed (docs/fleet-protocol.md, "Messages down"): the envelope is
// {"m": "<message JSON>", "s": "<HMAC-SHA256(key, topic + "\n" + m), hex>"}. The topic is under the
// signature so a message for one machine or one kind cannot be replayed as another.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Envelope {
  m: string;
  s: string;
}

export function signature(keyHex: string, topic: string, m: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(`${topic}\n${m}`, 'utf8').digest('hex');
}

/** The envelope's JSON for fields on topic; v, t (server time) and n (a nonce) come first. */
export function signDown(keyHex: string, topic: string, fields: Record<string, unknown>, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const m = JSON.stringify({ v: 1, t: nowSeconds, n: randomBytes(8).toString('hex'), ...fields });
  const envelope: Envelope = { m, s: signature(keyHex, topic, m) };
  return JSON.stringify(envelope);
}

export type Verified = { ok: true; message: Record<string, unknown> } | { ok: false; reason: string };

export interface VerifyOptions {
  /** The receiver's clock, epoch seconds; absent: its clock is not set, so nothing verifies. */
  nowSeconds?: number;
  /** Nonces seen in the last 120 s; a verified message's nonce is added. */
  seenNonces?: Map<string, number>;
  maxSkewSeconds?: number;
}

/** What a machine does with a message down; the reason never holds the key or the message. */
export function verifyDown(keyHex: string, topic: string, payload: string | Buffer, options: VerifyOptions = {}): Verified {
  const { nowSeconds, seenNonces, maxSkewSeconds = 60 } = options;
  let envelope: unknown;
  try {
    envelope = JSON.parse(payload.toString());
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof envelope !== 'object' || envelope === null) return { ok: false, reason: 'not an object' };
  const { m, s } = envelope as Partial<Envelope>;
  if (typeof m !== 'string' || typeof s !== 'string') return { ok: false, reason: 'm or s missing' };
  const expected = Buffer.from(signature(keyHex, topic, m), 'hex');
  const given = /^[0-9a-f]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'wrong signature' };
  let message: Record<string, unknown>;
  try {
    message = JSON.parse(m);
  } catch {
    return { ok: false, reason: 'm is not JSON' };
  }
  if (typeof message !== 'object' || message === null || message.v !== 1) return { ok: false, reason: 'not a v1 message' };
  if (nowSeconds === undefined) return { ok: false, reason: 'clock not set' };
  if (typeof message.t !== 'number' || Math.abs(message.t - nowSeconds) > maxSkewSeconds) return { ok: false, reason: 'time out of range' };
  if (typeof message.n !== 'string' || !/^[0-9a-f]{16}$/.test(message.n)) return { ok: false, reason: 'bad nonce' };
  if (seenNonces) {
    for (const [nonce, seenAt] of seenNonces) if (nowSeconds - seenAt > 120) seenNonces.delete(nonce);
    if (seenNonces.has(message.n)) return { ok: false, reason: 'nonce seen' };
    seenNonces.set(message.n, nowSeconds);
  }
  return { ok: true, message };
}
