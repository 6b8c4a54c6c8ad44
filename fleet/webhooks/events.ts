// An ePayment event as the Webhooks API delivers it (msn, reference, pspReference, name, amount,
// timestamp, idempotencyKey, success), checked field by field, and stored once however often it
// is delivered.
import type { Queryable } from '../database';

export const EVENT_NAMES = ['CREATED', 'AUTHORIZED', 'ABORTED', 'EXPIRED', 'CANCELLED', 'CAPTURED', 'REFUNDED', 'TERMINATED'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export interface PaymentEvent {
  msn: string;
  reference: string;
  pspReference: string;
  name: EventName;
  amount?: { currency: string; value: number };
  timestamp: string;
  success?: boolean;
  /** The whole body as delivered (fields we do not read are kept too). */
  body: Record<string, unknown>;
}

export type Parsed = { ok: true; event: PaymentEvent } | { ok: false; reason: string };

const text = (value: unknown, max: number): value is string => typeof value === 'string' && value.length >= 1 && value.length <= max;

export function parseEvent(bytes: Buffer): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'not a JSON object' };
  const b = body as Record<string, unknown>;
  if (!text(b.msn, 16)) return { ok: false, reason: 'msn missing' };
  if (!text(b.reference, 50) || !/^[a-zA-Z0-9-]+$/.test(b.reference)) return { ok: false, reason: 'reference missing or malformed' };
  if (!text(b.pspReference, 100)) return { ok: false, reason: 'pspReference missing' };
  if (typeof b.name !== 'string' || !(EVENT_NAMES as readonly string[]).includes(b.name)) return { ok: false, reason: 'name is not a payment event' };
  if (!text(b.timestamp, 40) || Number.isNaN(Date.parse(b.timestamp))) return { ok: false, reason: 'timestamp missing' };
  const amount = b.amount as { currency?: unknown; value?: unknown } | undefined;
  const hasAmount = typeof amount === 'object' && amount !== null && typeof amount.currency === 'string' && Number.isSafeInteger(amount.value);
  return {
    ok: true,
    event: {
      msn: b.msn,
      reference: b.reference,
      pspReference: b.pspReference,
      name: b.name as EventName,
      amount: hasAmount ? { currency: amount.currency as string, value: amount.value as number } : undefined,
      timestamp: b.timestamp,
      success: typeof b.success === 'boolean' ? b.success : undefined,
      body: b,
    },
  };
}

/** The row's id when the event is new; undefined when it was stored before (a repeated delivery). */
export async function storeEvent(db: Queryable, event: PaymentEvent, contentHash: string): Promise<number | undefined> {
  const rows = await db.query<{ id: number }>(
    `INSERT INTO webhook_events (msn, reference, psp_reference, name, event_time, amount, currency, success, body, body_sha256)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (msn, reference, psp_reference, name, event_time) DO NOTHING RETURNING id`,
    [event.msn, event.reference, event.pspReference, event.name, event.timestamp, event.amount?.value ?? null, event.amount?.currency ?? null,
      event.success ?? null, JSON.stringify(event.body), contentHash],
  );
  return rows[0]?.id;
}
