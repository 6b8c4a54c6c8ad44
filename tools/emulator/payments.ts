// The payment state machine, with the real service's rules and error codes, and nothing of HTTP.
//
//   CREATED --customer approves--> AUTHORIZED   (final; capture, cancel and refund only move `aggregate`)
//   CREATED --customer rejects---> ABORTED
//   CREATED --10 minutes---------> EXPIRED
//   CREATED --merchant cancels---> TERMINATED
//   AUTHORIZED, money still reserved --capture deadline--> the service cancels the remainder
//
// Error codes are the ePayment API's documented four-digit codes (extraDetails ErrorCode).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from './clock';
import type { Amount, EventName, PaymentRecord } from './types';

/** The customer has 10 minutes in total (5 to open the app from the QR, 5 in the app). */
export const PAYMENT_EXPIRY_MS = 10 * 60 * 1000;

const DAY_MS = 24 * 3600 * 1000;
/** What get payment sends as captureGuaranteedUntil: authorization + 7 days (the card schemes' shortest guarantee). */
export const CAPTURE_GUARANTEE_MS = 7 * DAY_MS;

/**
 * An authorized payment not captured within this, from its authorization, is cancelled by the
 * service: 180 days in Norway (NOK), 14 days in Denmark and Finland (DKK, EUR). The emulator gives
 * every other currency the shorter 14 days.
 */
export function captureDeadlineMs(currency: string): number {
  return currency === 'NOK' ? 180 * DAY_MS : 14 * DAY_MS;
}

const MINIMUM_AMOUNT: Record<string, number> = { NOK: 100, DKK: 1, EUR: 1 };
const CARD_PASSTHROUGH_ONLY = new Set(['SEK', 'USD', 'GBP']);
const LONG_LIVING_MAX_MS = 60 * 24 * 3600 * 1000;

export class PaymentError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** The create body, as far as the emulator reads it (the schema has already been checked). */
export interface CreateRequest {
  amount: Amount;
  reference: string;
  userFlow: 'PUSH_MESSAGE' | 'NATIVE_REDIRECT' | 'WEB_REDIRECT' | 'QR';
  paymentMethod: { type: string };
  customer?: Record<string, string>;
  returnUrl?: string;
  expiresAt?: string | null;
  receipt?: unknown;
  qrFormat?: { format: 'TEXT/TARGETURL' | 'IMAGE/SVG+XML' | 'IMAGE/PNG'; size?: number | null } | null;
  profile?: { scope?: string };
  paymentDescription?: string;
  metadata?: Record<string, string> | null;
}

export interface SavedPayments {
  payments: PaymentRecord[];
}

export class PaymentBook {
  private readonly byReference = new Map<string, PaymentRecord>();

  constructor(private readonly clock: Clock) {}

  /** Creates a payment. `origin` is the scheme://host the client used, for the URLs handed back. */
  create(request: CreateRequest, idempotencyKey: string | undefined, origin: string): PaymentRecord {
    const { amount, reference } = request;
    checkCreate(request, this.clock.now());
    if (this.byReference.has(reference)) {
      throw new PaymentError(409, '4150', 'Reference already exists', `The reference ${reference} already exists for this merchant serial number.`);
    }
    const now = this.clock.now();
    const token = randomBytes(12).toString('base64url');
    const targetUrl = `${origin}/emulator/pay/${token}`;
    const record: PaymentRecord = {
      reference,
      state: 'CREATED',
      amount: { ...amount },
      aggregate: {
        authorizedAmount: zero(amount.currency),
        capturedAmount: zero(amount.currency),
        cancelledAmount: zero(amount.currency),
        refundedAmount: zero(amount.currency),
      },
      events: [],
      request: structuredClone(request),
      createdAt: now,
      expiresAt: request.expiresAt ? Date.parse(request.expiresAt) : now + PAYMENT_EXPIRY_MS,
      token,
      targetUrl,
      redirectUrl: redirectUrlFor(request, origin, token, targetUrl),
      customerAuthorizing: false,
    };
    addEvent(record, 'CREATED', amount, now, idempotencyKey);
    this.byReference.set(reference, record);
    return record;
  }

  find(reference: string): PaymentRecord | undefined {
    this.sweep();
    return this.byReference.get(reference);
  }

  get(reference: string): PaymentRecord {
    const record = this.find(reference);
    if (!record) throw new PaymentError(404, '5090', 'Reference not found', `The reference ${reference} does not exist for this merchant serial number.`);
    return record;
  }

  findByToken(token: string): PaymentRecord | undefined {
    this.sweep();
    for (const record of this.byReference.values()) if (record.token === token) return record;
    return undefined;
  }

  all(): PaymentRecord[] {
    this.sweep();
    return [...this.byReference.values()];
  }

  /** The customer approves in the app (or the test API's force approve). */
  approve(reference: string): PaymentRecord {
    const record = this.get(reference);
    if (record.state === 'AUTHORIZED') throw new PaymentError(400, '6230', 'Payment is already reserved', `The payment with reference ${reference} has already been reserved (AUTHORIZED).`);
    if (record.state !== 'CREATED') throw new PaymentError(400, '10010', 'Approve failed', `The payment cannot be approved. Invalid state: ${record.state}.`);
    const now = this.clock.now();
    record.state = 'AUTHORIZED';
    record.customerAuthorizing = false;
    record.authorizedAt = now;
    record.aggregate.authorizedAmount = { ...record.amount };
    if ((record.request as CreateRequest).profile?.scope) record.profileSub = randomUUID();
    addEvent(record, 'AUTHORIZED', record.amount, now);
    return record;
  }

  /** The customer rejects in the app. */
  reject(reference: string): PaymentRecord {
    return this.endUnauthorized(reference, 'ABORTED', 'rejected');
  }

  /** Nobody acted in time (also what the clock does by itself after 10 minutes). */
  expire(reference: string): PaymentRecord {
    return this.endUnauthorized(reference, 'EXPIRED', 'expired');
  }

  /** The customer opened the payment in the app: from now until they act, cancel is refused. */
  openInApp(reference: string): PaymentRecord {
    const record = this.get(reference);
    if (record.state !== 'CREATED') throw new PaymentError(400, '10010', 'Approve failed', `The payment cannot be opened. Invalid state: ${record.state}.`);
    record.customerAuthorizing = true;
    return record;
  }

  /** From now on captures of this payment are refused with 6260 "Funds unavailable" (false: they succeed again). */
  setFundsUnavailable(reference: string, unavailable: boolean): PaymentRecord {
    const record = this.get(reference);
    record.fundsUnavailable = unavailable;
    return record;
  }

  capture(reference: string, amount: Amount, idempotencyKey: string | undefined): PaymentRecord {
    const record = this.get(reference);
    checkModificationAmount(record, amount);
    if (record.state === 'CREATED') throw new PaymentError(400, '6080', 'Cannot capture before reservation', 'The amount you tried to capture is not reserved. The user must accept the payment before capture can be done.');
    if (record.state !== 'AUTHORIZED') throw new PaymentError(400, '6200', 'Payment cannot be captured', `Reference ${reference} cannot be captured. Invalid state: ${record.state}.`);
    const { authorizedAmount, capturedAmount, cancelledAmount } = record.aggregate;
    if (cancelledAmount.value > 0) {
      const detail = record.cancelledAtDeadline
        ? `The payment was not captured within the capture deadline (${captureDeadlineMs(record.amount.currency) / DAY_MS} days) and has been cancelled. Check the payment event log.`
        : 'Cannot capture a payment that has been cancelled. Check the payment event log.';
      throw new PaymentError(400, '6070', 'Cannot capture a cancelled payment', detail);
    }
    if (record.fundsUnavailable) throw new PaymentError(400, '6260', 'Funds unavailable', `The funds for reference ${reference} are not available. The capture cannot be done.`);
    if (capturedAmount.value + amount.value > authorizedAmount.value) {
      throw new PaymentError(400, '6090', 'Capture amount too high', `The total capture amount (${capturedAmount.value + amount.value}) exceeds the reserved amount (${authorizedAmount.value}).`);
    }
    capturedAmount.value += amount.value;
    addEvent(record, 'CAPTURED', amount, this.clock.now(), idempotencyKey);
    return record;
  }

  cancel(reference: string, cancelTransactionOnly: boolean, idempotencyKey: string | undefined): PaymentRecord {
    const record = this.get(reference);
    const now = this.clock.now();
    if (record.state === 'CREATED') {
      // "It is not possible to cancel a payment while a user is actively authorizing the payment."
      if (record.customerAuthorizing) throw new PaymentError(423, '6250', 'Customer is authorizing', `Reference ${reference} cannot be cancelled while the customer is authorizing it. Try again shortly.`);
      record.state = 'TERMINATED';
      // The documented answer for a cancel before authorization shows the whole amount as cancelled.
      record.aggregate.cancelledAmount = { ...record.amount };
      addEvent(record, 'TERMINATED', record.amount, now, idempotencyKey);
      return record;
    }
    if (record.state !== 'AUTHORIZED') throw new PaymentError(400, '6190', 'Payment cannot be cancelled', `Reference ${reference} cannot be cancelled. Invalid state: ${record.state}.`);
    if (cancelTransactionOnly) throw new PaymentError(400, '6060', 'Cannot cancel authorized payment', `Reference ${reference} is authorized; with cancelTransactionOnly the reservation is kept.`);
    const { authorizedAmount, capturedAmount, cancelledAmount } = record.aggregate;
    if (capturedAmount.value >= authorizedAmount.value) throw new PaymentError(400, '6040', 'Cannot cancel a captured payment', 'Cannot cancel a payment that has been captured. Refund it instead.');
    if (cancelledAmount.value > 0) throw new PaymentError(400, '6190', 'Payment cannot be cancelled', `Reference ${reference} has already been cancelled.`);
    // A cancel releases the whole remainder that is not captured; it is irreversible.
    const remainder = { currency: record.amount.currency, value: authorizedAmount.value - capturedAmount.value };
    cancelledAmount.value = remainder.value;
    addEvent(record, 'CANCELLED', remainder, now, idempotencyKey);
    return record;
  }

  refund(reference: string, amount: Amount, idempotencyKey: string | undefined): PaymentRecord {
    const record = this.get(reference);
    checkModificationAmount(record, amount);
    if (record.state === 'CREATED') throw new PaymentError(400, '6020', 'Attempted refund before reservation', 'Cannot refund a payment that is not reserved. Check the payment event log.');
    if (record.state !== 'AUTHORIZED') throw new PaymentError(400, '6210', 'Payment cannot be refunded', `Reference ${reference} cannot be refunded. Invalid state: ${record.state}.`);
    const { capturedAmount, refundedAmount } = record.aggregate;
    if (refundedAmount.value + amount.value > capturedAmount.value) {
      throw new PaymentError(400, '6150', 'Not enough refundable', `Cannot refund more than the captured amount that is not already refunded (${capturedAmount.value - refundedAmount.value}).`);
    }
    refundedAmount.value += amount.value;
    addEvent(record, 'REFUNDED', amount, this.clock.now(), idempotencyKey);
    return record;
  }

  /**
   * What the service does by itself, stamped at the moment it happened: expires every CREATED
   * payment whose time is up, and cancels what is still reserved on an authorized payment past its
   * capture deadline (the remainder not captured; the state stays AUTHORIZED).
   */
  sweep(): void {
    const now = this.clock.now();
    for (const record of this.byReference.values()) {
      if (record.state === 'CREATED' && now >= record.expiresAt) {
        record.state = 'EXPIRED';
        record.customerAuthorizing = false;
        addEvent(record, 'EXPIRED', record.amount, record.expiresAt);
      } else if (record.state === 'AUTHORIZED') {
        const { authorizedAmount, capturedAmount, cancelledAmount } = record.aggregate;
        const reserved = authorizedAmount.value - capturedAmount.value - cancelledAmount.value;
        const deadline = authorizedAt(record) + captureDeadlineMs(record.amount.currency);
        if (reserved > 0 && now >= deadline) {
          cancelledAmount.value += reserved;
          record.cancelledAtDeadline = true;
          addEvent(record, 'CANCELLED', { currency: record.amount.currency, value: reserved }, deadline);
        }
      }
    }
  }

  save(): PaymentRecord[] {
    return structuredClone([...this.byReference.values()]);
  }

  load(records: PaymentRecord[]): void {
    this.byReference.clear();
    for (const record of structuredClone(records)) this.byReference.set(record.reference, record);
  }

  clear(): void {
    this.byReference.clear();
  }

  private endUnauthorized(reference: string, state: 'ABORTED' | 'EXPIRED', verb: string): PaymentRecord {
    const record = this.get(reference);
    if (record.state !== 'CREATED') throw new PaymentError(400, '10010', 'Approve failed', `The payment cannot be ${verb}. Invalid state: ${record.state}.`);
    record.state = state;
    record.customerAuthorizing = false;
    addEvent(record, state, record.amount, this.clock.now());
    return record;
  }
}

/** Emulator time of the authorization; a record saved before authorizedAt existed has it in its AUTHORIZED event. */
export function authorizedAt(record: PaymentRecord): number {
  if (record.authorizedAt !== undefined) return record.authorizedAt;
  const event = record.events.find((e) => e.name === 'AUTHORIZED');
  return event ? Date.parse(event.timestamp) : record.createdAt;
}

/** captureGuaranteedUntil for get payment: only while authorized. */
export function captureGuaranteedUntil(record: PaymentRecord): string | undefined {
  return record.state === 'AUTHORIZED' ? new Date(authorizedAt(record) + CAPTURE_GUARANTEE_MS).toISOString() : undefined;
}

function checkCreate(request: CreateRequest, now: number): void {
  const { amount } = request;
  if (CARD_PASSTHROUGH_ONLY.has(amount.currency) && request.paymentMethod.type !== 'CARD_PASSTHROUGH') {
    throw new PaymentError(400, '5040', 'Invalid currency for merchant', `${amount.currency} is only supported for CARD_PASSTHROUGH payments.`);
  }
  const minimum = MINIMUM_AMOUNT[amount.currency] ?? 1;
  if (amount.value < minimum) throw new PaymentError(400, '6010', 'Amount too small', `The amount is too small. The minimum for ${amount.currency} is ${minimum} minor units.`);
  if (request.userFlow === 'PUSH_MESSAGE' && !request.customer) throw new PaymentError(400, '4140', 'Missing required parameter', 'The parameter customer is required for userFlow PUSH_MESSAGE.');
  if (request.userFlow === 'WEB_REDIRECT' && !request.returnUrl) throw new PaymentError(400, '4140', 'Missing required parameter', 'The parameter returnUrl is required for userFlow WEB_REDIRECT.');
  if (request.expiresAt) {
    const expiresAt = Date.parse(request.expiresAt);
    if (!request.receipt) throw new PaymentError(400, '6130', 'Long living payments require a receipt', 'Send receipt together with expiresAt.');
    if (expiresAt < now + PAYMENT_EXPIRY_MS) throw new PaymentError(400, '6120', 'Expiration date is too soon', 'expiresAt must be more than 10 minutes in the future.');
    if (expiresAt > now + LONG_LIVING_MAX_MS) throw new PaymentError(400, '6110', 'Expiration date is too late', 'expiresAt must be less than 60 days in the future.');
  }
}

function checkModificationAmount(record: PaymentRecord, amount: Amount): void {
  if (amount.currency !== record.amount.currency) throw new PaymentError(400, '4040', 'Invalid amount', `The currency must be ${record.amount.currency}, the payment's currency.`);
  if (amount.value <= 0) throw new PaymentError(400, '4040', 'Invalid amount', 'The amount must be a positive integer in minor units.');
}

function redirectUrlFor(request: CreateRequest, origin: string, token: string, targetUrl: string): string | undefined {
  if (request.userFlow === 'PUSH_MESSAGE') return undefined;
  if (request.userFlow !== 'QR') return targetUrl;
  const format = request.qrFormat?.format ?? 'IMAGE/SVG+XML';
  if (format === 'TEXT/TARGETURL') return targetUrl;
  if (format === 'IMAGE/PNG') return `${origin}/emulator/qr/${token}.png?size=${request.qrFormat?.size ?? 1024}`;
  return `${origin}/emulator/qr/${token}.svg`;
}

function addEvent(record: PaymentRecord, name: EventName, amount: Amount, at: number, idempotencyKey?: string): void {
  record.events.push({
    name,
    success: true,
    amount: { ...amount },
    timestamp: new Date(at).toISOString(),
    ...(idempotencyKey ? { idempotencyKey } : {}),
    pspReference: randomUUID(),
  });
}

function zero(currency: string): Amount {
  return { currency, value: 0 };
}
