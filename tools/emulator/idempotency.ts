// Idempotency keys: the same key with the same body gets the original answer, untouched, and the
// payment does not change again; the same key with another body is a conflict (409). Only answers
// that did something (2xx) are remembered: a refused capture (say 6080, not yet authorized) retried
// with the same key after the customer approved is evaluated afresh, as a retry should be.
import type { Reply } from './replies';

export type IdempotencyLookup = { kind: 'new' } | { kind: 'replay'; reply: Reply } | { kind: 'conflict' };

interface Entry {
  fingerprint: string;
  reply: Reply;
}

export interface SavedIdempotency {
  scope: string;
  key: string;
  fingerprint: string;
  reply: Reply;
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  /** `scope` separates operations (and references): the same key may be used for a capture and a refund. */
  lookup(scope: string, key: string, body: unknown): IdempotencyLookup {
    const entry = this.entries.get(entryKey(scope, key));
    if (!entry) return { kind: 'new' };
    if (entry.fingerprint !== fingerprint(body)) return { kind: 'conflict' };
    return { kind: 'replay', reply: structuredClone(entry.reply) };
  }

  remember(scope: string, key: string, body: unknown, reply: Reply): void {
    if (reply.status < 200 || reply.status >= 300) return;
    this.entries.set(entryKey(scope, key), { fingerprint: fingerprint(body), reply: structuredClone(reply) });
  }

  save(): SavedIdempotency[] {
    return [...this.entries].map(([compound, entry]) => {
      const [scope, key] = JSON.parse(compound) as [string, string];
      return { scope, key, ...structuredClone(entry) };
    });
  }

  load(saved: SavedIdempotency[]): void {
    this.entries.clear();
    for (const { scope, key, fingerprint: print, reply } of saved) this.entries.set(entryKey(scope, key), { fingerprint: print, reply });
  }

  clear(): void {
    this.entries.clear();
  }
}

function entryKey(scope: string, key: string): string {
  return JSON.stringify([scope, key]);
}

/** Bodies compare by meaning: key order and whitespace do not matter; no body equals `{}`. */
function fingerprint(body: unknown): string {
  return JSON.stringify(canonical(body ?? {}));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}
