// Everything the client throws is an EpaymentError; callers branch on `kind` (and on status and
// code for 'api'), never on message text. Messages never carry secrets or response bodies.

export type EpaymentErrorKind =
  | 'network' // connection refused, reset, closed mid-answer
  | 'timeout' // no complete answer within the request's timeout
  | 'too-large' // answer body over the size limit; not read whole
  | 'api' // the service answered with an error status (problem+json or not)
  | 'unexpected-response' // a 2xx answer that is not what the spec says
  | 'invalid-request' // refused before sending: the input breaks the spec
  | 'config' // the client's configuration is unusable
  | 'cancelled'; // the caller gave up (polling cancelled)

export class EpaymentError extends Error {
  override name = 'EpaymentError';
  readonly kind: EpaymentErrorKind;
  /**
   * Set on the error a retried call finally throws: how many of its tries got no answer from the
   * service itself (no answer at all, or a gateway's 502/504). 0 means every try was answered, so
   * no request of the call can still be on its way to the service.
   */
  unansweredTries: number | undefined;
  constructor(kind: EpaymentErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export type TransportErrorKind = 'network' | 'timeout' | 'too-large';

/** Thrown by transports (every host) and by the client's own timeout guard. */
export class TransportError extends EpaymentError {
  override name = 'TransportError';
  declare readonly kind: TransportErrorKind;
  constructor(kind: TransportErrorKind, message: string) {
    super(kind, message);
  }
}

/** An error answer. `code` is the four-digit ErrorCode from problem+json extraDetails, when sent. */
export class ApiError extends EpaymentError {
  override name = 'ApiError';
  declare readonly kind: 'api';
  readonly status: number;
  readonly code: string | undefined;
  readonly title: string | undefined;
  readonly traceId: string | undefined;
  /** From a Retry-After header in seconds, when sent. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, status: number, details: { code?: string; title?: string; traceId?: string; retryAfterMs?: number } = {}) {
    super('api', message);
    this.status = status;
    this.code = details.code;
    this.title = details.title;
    this.traceId = details.traceId;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** 'unparseable': not JSON (truncated, malformed); 'shape': JSON that does not match the spec; 'status': a status the operation never answers with. */
export type UnexpectedReason = 'unparseable' | 'shape' | 'status';

export class UnexpectedResponseError extends EpaymentError {
  override name = 'UnexpectedResponseError';
  declare readonly kind: 'unexpected-response';
  readonly reason: UnexpectedReason;
  readonly status: number;
  constructor(message: string, reason: UnexpectedReason, status: number) {
    super('unexpected-response', message);
    this.reason = reason;
    this.status = status;
  }
}

export function isEpaymentError(error: unknown): error is EpaymentError {
  return error instanceof EpaymentError;
}

/** True for an 'api' error with this status and, when given, this ErrorCode. */
export function isApiError(error: unknown, status?: number, code?: string): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status) && (code === undefined || error.code === code);
}

/**
 * ErrorCodes the machine branches on (problem+json extraDetails {name: 'ErrorCode'}). Branch on
 * these with isApiError(error, status?, code), never on the title text.
 */
export const ERROR_CODES = {
  /** Cancel with cancelTransactionOnly of an authorized payment: the customer just paid. */
  authorizedNotCancelled: '6060',
  /** Capture after a cancel, the service's own at the capture deadline included. */
  captureAfterCancel: '6070',
  /** Capture before authorization. */
  captureBeforeAuthorization: '6080',
  /** Captures would exceed the authorized amount. */
  captureAmountTooHigh: '6090',
  /** Cancel while the customer is mid-authorization (423): try again shortly. */
  customerAuthorizing: '6250',
  /** Capture refused: the customer's funds are unavailable. Final; not retried. */
  fundsUnavailable: '6260',
  /** Capture failed, please try again later. Retried with the same idempotency key. */
  captureFailedTryLater: '6280',
} as const;

/** Text from the server, made safe for a message: printable ASCII, short. */
export function cleanText(text: string, max = 80): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? `${printable.slice(0, max - 3)}...` : printable;
}
