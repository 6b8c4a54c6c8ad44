// The client's view of the API's data: only the fields the machine uses, all checked on arrival.
// Money is always an integer number of minor units (øre, cents).

export type Currency = 'NOK' | 'DKK' | 'EUR' | 'SEK' | 'USD' | 'GBP';
export const CURRENCIES: readonly Currency[] = ['NOK', 'DKK', 'EUR', 'SEK', 'USD', 'GBP'];

export interface Amount {
  currency: Currency;
  /** Minor units: 2500 is 25.00 NOK. */
  value: number;
}

export type PaymentState = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';
export const PAYMENT_STATES: readonly PaymentState[] = ['CREATED', 'AUTHORIZED', 'ABORTED', 'EXPIRED', 'TERMINATED'];

/** Every state but CREATED is final. AUTHORIZED stays AUTHORIZED after capture, cancel and refund. */
export function isFinalState(state: PaymentState): boolean {
  return state !== 'CREATED';
}

export type PaymentEventName = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'CANCELLED' | 'CAPTURED' | 'REFUNDED' | 'TERMINATED';
export const PAYMENT_EVENT_NAMES: readonly PaymentEventName[] = ['CREATED', 'AUTHORIZED', 'ABORTED', 'EXPIRED', 'CANCELLED', 'CAPTURED', 'REFUNDED', 'TERMINATED'];

export interface Aggregate {
  authorizedAmount: Amount;
  capturedAmount: Amount;
  cancelledAmount: Amount;
  refundedAmount: Amount;
}

/** A payment as read by getPayment, or as answered by capture, cancel and refund. */
export interface PaymentStatus {
  reference: string;
  state: PaymentState;
  amount: Amount;
  aggregate: Aggregate;
  pspReference: string;
  /** Present on getPayment answers that carry it. */
  redirectUrl?: string;
  /**
   * getPayment, since August 2026: until when a capture is guaranteed to succeed (ISO 8601 date-time,
   * as sent). Absent on older answers and on modification answers. Past it a capture may still
   * succeed, or fail with 6260; the capture deadline (180 days NOK, 14 days DKK/EUR) comes later.
   */
  captureGuaranteedUntil?: string;
}

export interface CreatedPayment {
  reference: string;
  /** With qrFormat TEXT/TARGETURL: the text to encode in the QR. */
  redirectUrl: string;
}

export interface PaymentEvent {
  reference: string;
  pspReference: string;
  name: PaymentEventName;
  amount: Amount;
  timestamp: string;
  success: boolean;
  idempotencyKey?: string;
}

export type QrFormat = 'TEXT/TARGETURL' | 'IMAGE/SVG+XML' | 'IMAGE/PNG';

/** One product line. The client derives the tax fields from the total and the rate. */
export interface OrderLineInput {
  id: string;
  name: string;
  /** Including tax, minor units. */
  totalAmount: number;
  /** Hundredths of a percent: 2500 is 25 %. */
  taxRate: number;
  quantity?: number;
  /** Including tax, minor units; defaults to totalAmount / quantity when quantity is given. */
  unitPrice?: number;
}

export interface ReceiptInput {
  orderLines: OrderLineInput[];
  /** Names the machine on the receipt (`bottomLine.posId`). */
  posId?: string;
  receiptNumber?: string;
}

export interface CreatePaymentInput {
  /** ^[a-zA-Z0-9-]{8,64}$, unique per merchant serial number forever. */
  reference: string;
  amount: Amount;
  /** paymentDescription, 3-100 characters, shown in the app. */
  description: string;
  receipt?: ReceiptInput;
  minimumUserAge?: number;
  /** At most 5 pairs; keys up to 100, values up to 500 characters. */
  metadata?: Record<string, string>;
  /** Default TEXT/TARGETURL: the device draws the QR itself. */
  qrFormat?: QrFormat;
  /** Pixels, IMAGE/PNG only. */
  qrSize?: number;
}

export interface CancelOptions {
  /** Cancel only if not authorized yet; on an authorized payment the answer is error 6060. */
  cancelTransactionOnly?: boolean;
}

/** Per-call knobs. */
export interface CallOptions {
  /** Total tries including the first; overrides the retry policy (polling uses 1). */
  attempts?: number;
  /**
   * The whole call, retries and the wait for a token included, ends within this many ms: no
   * request starts later and none is waited for longer (the create's deadline).
   */
  deadlineMs?: number;
}
