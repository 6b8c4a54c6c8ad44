// Idempotency keys are a pure function of the payment reference and the operation (and the amount
// for capture and refund), so a retry, even after a reboot, sends the same key and the service
// answers with the original result instead of acting twice.
//
//   `${op}-${reference}`            create, cancel, canceltx (cancel with cancelTransactionOnly)
//   `${op}-${amount}-${reference}`  capture, refund
//
// When that exceeds the 50 characters the API allows, the reference is cut and a 64-bit FNV-1a
// hash (16 hex digits) of the full key is appended, so long references still get distinct keys.
// cancel and canceltx differ because their bodies differ: the same key with another body is a 409.

export type IdempotentOperation = 'create' | 'capture' | 'refund' | 'cancel' | 'canceltx';

export const MAX_IDEMPOTENCY_KEY = 50;
const HASH_DIGITS = 16;

export function idempotencyKey(operation: IdempotentOperation, reference: string, amount?: number): string {
  const prefix = amount === undefined ? `${operation}-` : `${operation}-${amount}-`;
  const full = prefix + reference;
  if (full.length <= MAX_IDEMPOTENCY_KEY) return full;
  const room = MAX_IDEMPOTENCY_KEY - prefix.length - HASH_DIGITS - 1;
  return `${prefix}${reference.slice(0, Math.max(0, room))}-${hash64(full)}`;
}

/** Two 32-bit FNV-1a passes with different offsets, as 16 hex digits. Not cryptographic; only distinct. */
function hash64(text: string): string {
  return fnv1a(text, 0x811c9dc5) + fnv1a(text, 0x01000193 ^ 0x5bd1e995);
}

function fnv1a(text: string, offset: number): string {
  let hash = offset >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
