// Narrow, hand-written checks of the answers' shapes: every field the client uses is checked, and
// an answer that does not match the spec is an UnexpectedResponseError, never a guessed state.
// Messages name the field, never echo the body (a token answer carries the token).
import { UnexpectedResponseError } from 'epayment/errors';
import { CURRENCIES, PAYMENT_EVENT_NAMES, PAYMENT_STATES, type Aggregate, type Amount, type CreatedPayment, type PaymentEvent, type PaymentStatus } from 'epayment/types';

type Json = Record<string, unknown>;

export class ShapeReader {
  constructor(private readonly what: string, private readonly status: number) {}

  fail(path: string, problem = 'missing or of the wrong type'): never {
    throw new UnexpectedResponseError(`${this.what}: answer field ${path} is ${problem}`, 'shape', this.status);
  }

  object(value: unknown, path: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path);
    return value as Json;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path);
    return value;
  }

  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path);
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') this.fail(path);
    return value;
  }

  oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) this.fail(path, 'not one of the values the spec allows');
    return value as T;
  }

  amount(value: unknown, path: string): Amount {
    const amount = this.object(value, path);
    const minor = amount.value;
    if (typeof minor !== 'number' || !Number.isInteger(minor) || minor < 0) this.fail(`${path}.value`, 'not a non-negative integer');
    return { currency: this.oneOf(amount.currency, CURRENCIES, `${path}.currency`), value: minor };
  }

  reference(value: unknown, path: string, expected: string): string {
    const reference = this.string(value, path);
    if (reference !== expected) this.fail(path, 'not the reference asked for');
    return reference;
  }
}

export function parseJson(body: string, what: string, status: number): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new UnexpectedResponseError(`${what}: answer is not JSON (${body.length} characters)`, 'unparseable', status);
  }
}

function readAggregate(r: ShapeReader, value: unknown): Aggregate {
  const a = r.object(value, 'aggregate');
  return {
    authorizedAmount: r.amount(a.authorizedAmount, 'aggregate.authorizedAmount'),
    capturedAmount: r.amount(a.capturedAmount, 'aggregate.capturedAmount'),
    cancelledAmount: r.amount(a.cancelledAmount, 'aggregate.cancelledAmount'),
    refundedAmount: r.amount(a.refundedAmount, 'aggregate.refundedAmount'),
  };
}

/**
 * GetPaymentResponse and ModificationResponse: the fields both have, and the optional ones the client
 * uses. Fields the client does not know are ignored, never refused: the service adds fields over time.
 */
export function readPaymentStatus(json: unknown, reference: string, what: string, status: number): PaymentStatus {
  const r: ShapeReader = new ShapeReader(what, status);
  const p = r.object(json, 'body');
  const result: PaymentStatus = {
    reference: r.reference(p.reference, 'reference', reference),
    state: r.oneOf(p.state, PAYMENT_STATES, 'state'),
    amount: r.amount(p.amount, 'amount'),
    aggregate: readAggregate(r, p.aggregate),
    pspReference: r.string(p.pspReference, 'pspReference'),
  };
  const redirectUrl = r.optionalString(p.redirectUrl, 'redirectUrl');
  if (redirectUrl !== undefined) result.redirectUrl = redirectUrl;
  const guaranteedUntil = r.optionalString(p.captureGuaranteedUntil, 'captureGuaranteedUntil');
  if (guaranteedUntil !== undefined) result.captureGuaranteedUntil = guaranteedUntil;
  return result;
}

// A URI the phone can open: a scheme, then no whitespace; short enough for a QR code.
const URI = (): RegExp => /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$/;
const MAX_REDIRECT_URL = 2000;

export function readCreatedPayment(json: unknown, reference: string, status: number): CreatedPayment {
  const r: ShapeReader = new ShapeReader('create payment', status);
  const p = r.object(json, 'body');
  const checkedReference = r.reference(p.reference, 'reference', reference);
  const redirectUrl = r.string(p.redirectUrl, 'redirectUrl');
  if (!URI().test(redirectUrl) || redirectUrl.length > MAX_REDIRECT_URL) r.fail('redirectUrl', 'not a URI that fits a QR code');
  return { reference: checkedReference, redirectUrl };
}

export function readEvents(json: unknown, reference: string, status: number): PaymentEvent[] {
  const r: ShapeReader = new ShapeReader('get payment events', status);
  if (!Array.isArray(json)) r.fail('body', 'not an array');
  return json.map((item: unknown, i: number) => {
    const e = r.object(item, `[${i}]`);
    const event: PaymentEvent = {
      reference: r.reference(e.reference, `[${i}].reference`, reference),
      pspReference: r.string(e.pspReference, `[${i}].pspReference`),
      name: r.oneOf(e.name, PAYMENT_EVENT_NAMES, `[${i}].name`),
      amount: r.amount(e.amount, `[${i}].amount`),
      timestamp: r.string(e.timestamp, `[${i}].timestamp`),
      success: r.boolean(e.success, `[${i}].success`),
    };
    const key = r.optionalString(e.idempotencyKey, `[${i}].idempotencyKey`);
    if (key !== undefined) event.idempotencyKey = key;
    return event;
  });
}

export interface TokenAnswer {
  accessToken: string;
  /** How long the token is valid from when it was asked for. */
  lifetimeMs: number;
}

const DIGITS = (): RegExp => /^[0-9]{1,12}$/;
const TOKEN = (): RegExp => /^[\x21-\x7e]+$/;

/** Seconds sent as a string (the spec's type) or, leniently, as a number. */
function seconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && DIGITS().test(value)) return Number(value);
  return undefined;
}

/**
 * The lifetime comes from `expires_in`. The device's clock may not be wall time, so the epoch
 * seconds `expires_on` are used only as a difference with `not_before`, when `expires_in` is
 * unusable; and when both are present, the shorter wins.
 */
export function readToken(json: unknown, status: number): TokenAnswer {
  const r: ShapeReader = new ShapeReader('access token', status);
  const t = r.object(json, 'body');
  const type = r.string(t.token_type, 'token_type');
  if (type.toLowerCase() !== 'bearer') r.fail('token_type', 'not Bearer');
  const accessToken = r.string(t.access_token, 'access_token');
  if (!TOKEN().test(accessToken)) r.fail('access_token', 'empty or not a header-safe string');
  const expiresIn = seconds(t.expires_in);
  const expiresOn = seconds(t.expires_on);
  const notBefore = seconds(t.not_before);
  const span = expiresOn !== undefined && notBefore !== undefined && expiresOn >= notBefore ? expiresOn - notBefore : undefined;
  if (t.expires_on !== undefined && expiresOn === undefined) r.fail('expires_on', 'not epoch seconds');
  let lifetime = expiresIn;
  if (lifetime === undefined || (span !== undefined && span < lifetime)) lifetime = span;
  if (lifetime === undefined) r.fail('expires_in', 'not a number of seconds');
  return { accessToken, lifetimeMs: lifetime * 1000 };
}
