// Messages down are signed by the fleet server (docs/fleet-protocol.md): an envelope
// {"m": JSON text, "s": HMAC-SHA256(key, topic + "\n" + m)}, m carrying v:1, a time t and a
// nonce n. The machine refuses a wrong signature, a message more than 60 s from its own clock and a
// nonce it has seen in the last 120 s; each refusal says why (never the key nor the message).
import { hmacSha256Hex } from 'hash/sha256';

export const MAX_SKEW_SECONDS = 60;
export const NONCE_MEMORY_SECONDS = 120;
/** Nonces kept at most: past this many valid messages in the memory window, more are refused (the server sends again), never a replay let through. */
export const MAX_NONCES = 128;

export type Verified = { ok: true; message: Record<string, unknown> } | { ok: false; why: string };

/** The 32-byte key from its 64 hex digits; undefined when it is not that. */
export function keyFromHex(hex: string): number[] | undefined {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  const key: number[] = [];
  for (let i = 0; i < 64; i += 2) key.push(parseInt(hex.slice(i, i + 2), 16));
  return key;
}

export function sign(key: readonly number[], topic: string, message: string): string {
  return hmacSha256Hex(key, `${topic}\n${message}`);
}

/** Equal strings, in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i % (b.length || 1));
  return difference === 0;
}

export class DownVerifier {
  private readonly key: readonly number[];
  private readonly seen: { nonce: string; until: number }[] = [];

  constructor(key: readonly number[]) {
    this.key = key;
  }

  /** `now`: the machine's wall time in epoch seconds, undefined while its clock is not set. */
  verify(topic: string, payload: string, now: number | undefined): Verified {
    let envelope: unknown;
    try {
      envelope = JSON.parse(payload);
    } catch {
      return { ok: false, why: 'not JSON' };
    }
    if (typeof envelope !== 'object' || envelope === null) return { ok: false, why: 'not an envelope' };
    const { m, s } = envelope as { m?: unknown; s?: unknown };
    if (typeof m !== 'string' || typeof s !== 'string') return { ok: false, why: 'unsigned' };
    if (!constantTimeEqual(sign(this.key, topic, m), s.toLowerCase())) return { ok: false, why: 'wrong signature' };
    let message: unknown;
    try {
      message = JSON.parse(m);
    } catch {
      return { ok: false, why: 'signed text is not JSON' };
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return { ok: false, why: 'signed text is not an object' };
    const { v, t, n } = message as { v?: unknown; t?: unknown; n?: unknown };
    if (v !== 1) return { ok: false, why: `version ${String(v)}` };
    if (typeof t !== 'number' || typeof n !== 'string' || !/^[0-9a-f]{16}$/.test(n)) return { ok: false, why: 'no time or nonce' };
    if (now === undefined) return { ok: false, why: 'clock not set' };
    if (Math.abs(now - t) > MAX_SKEW_SECONDS) return { ok: false, why: `stale (${Math.round(now - t)} s)` };
    this.forget(now);
    if (this.seen.some((entry) => entry.nonce === n)) return { ok: false, why: 'replayed' };
    if (this.seen.length >= MAX_NONCES) return { ok: false, why: 'too many messages' };
    this.seen.push({ nonce: n, until: now + NONCE_MEMORY_SECONDS });
    return { ok: true, message: message as Record<string, unknown> };
  }

  private forget(now: number): void {
    while (this.seen.length > 0 && this.seen[0].until < now) this.seen.shift();
  }
}
