// The emulator's public shapes. `index.ts` re-exports them; the other files import from here so
// that no file has to import the composition root.
import type { ArmedWebhookFault, WebhookAttempt, WebhookDeliveryOptions, WebhookFaultSpec, WebhookRegistration } from './webhooks/types';

export type { ArmedWebhookFault, SavedWebhookDelivery, WebhookAttempt, WebhookDeliveryOptions, WebhookFaultKind, WebhookFaultSpec, WebhookRegistration } from './webhooks/types';

export interface Credentials {
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  merchantSerialNumber: string;
}

export type FaultKind =
  | 'latency'
  | 'status'
  | 'reset-before-headers'
  | 'reset-after-headers'
  | 'truncated-json'
  | 'malformed-json'
  | 'oversized-body'
  | 'slow-drip';

export interface FaultSpec {
  /** A route template such as 'POST /epayment/v1/payments/{reference}/capture', or '*' for any API route. */
  route: string;
  kind: FaultKind;
  /** How many matching requests get it (default 1); Infinity allowed. */
  times?: number;
  /** Let this many matching requests through first (default 0). */
  skip?: number;
  /** 0..1, drawn from the seeded PRNG (default 1). */
  probability?: number;
  /** For 'status': 500, 502, 503, 429, 423, ... (problem+json body). */
  status?: number;
  /** Optional four-digit code placed in extraDetails for 'status'. */
  errorCode?: string;
  /** Adds a Retry-After header. */
  retryAfterSeconds?: number;
  /** For 'latency' (then the request proceeds normally) and 'slow-drip' (delay between chunks). */
  delayMs?: number;
  /**
   * Whether the operation takes effect before the fault hits. Default: true for reset-after-headers,
   * truncated-json, malformed-json, oversized-body, slow-drip; false for status and
   * reset-before-headers. processed:true + reset-before-headers = "the server did it, the answer was lost".
   */
  processed?: boolean;
  /** For 'oversized-body': the size the body is padded to (default 1 MiB). */
  sizeBytes?: number;
  /** For 'slow-drip': bytes per chunk (default 16). */
  chunkBytes?: number;
}

export interface EmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** HTTP port; 0 = any free port (default 0). */
  port?: number;
  /** false = no HTTPS (default); 0 = any free port. */
  httpsPort?: number | false;
  /** Default 3600. */
  tokenLifetimeSeconds?: number;
  credentials?: Partial<Credentials>;
  /** Makes probabilistic faults deterministic. */
  seed?: number;
  /** Where the CA chain is created and kept; default <repo>/.emulator/certs. */
  certDir?: string;
  /** Loaded at start if present, saved on close and through the admin API. */
  stateFile?: string;
  /** Default: silent. */
  log?: (line: string) => void;
  /** Rate limits per reference; false turns them off. Default: the real service's 5 and 120 a minute. */
  rateLimits?: false | Partial<RateLimits>;
  /** The merchant name the phone page shows. */
  merchantName?: string;
  /** Source of real time in milliseconds (default Date.now); the emulator clock adds its offset. */
  now?: () => number;
  /** Report API: how long after it happened an entry shows (default 7200 s). */
  reportLagSeconds?: number;
  /** Report API: items per page (default 1000, as the real one). */
  reportPageSize?: number;
  /** Webhook deliveries: attempt timeout and retry backoff (small values make tests fast). */
  webhooks?: Partial<WebhookDeliveryOptions>;
}

export interface RateLimits {
  /** Calls a minute per reference for each of create, capture, cancel and refund. */
  modificationsPerMinute: number;
  /** Calls a minute per reference for each of get payment and get event log. */
  getsPerMinute: number;
}

export type PaymentState = 'CREATED' | 'AUTHORIZED' | 'ABORTED' | 'EXPIRED' | 'TERMINATED';
export type EventName =
  | 'CREATED'
  | 'AUTHORIZED'
  | 'ABORTED'
  | 'EXPIRED'
  | 'CANCELLED'
  | 'CAPTURED'
  | 'REFUNDED'
  | 'TERMINATED';

export interface Amount {
  currency: string;
  value: number;
}

export interface Aggregate {
  authorizedAmount: Amount;
  capturedAmount: Amount;
  cancelledAmount: Amount;
  refundedAmount: Amount;
}

export interface PaymentEventRecord {
  name: EventName;
  success: boolean;
  amount: Amount;
  timestamp: string;
  idempotencyKey?: string;
  pspReference: string;
}

export interface PaymentRecord {
  reference: string;
  state: PaymentState;
  amount: Amount;
  aggregate: Aggregate;
  events: PaymentEventRecord[];
  /** The create body, as the client sent it. */
  request: unknown;
  /** Emulator time (ms) of creation and of the automatic expiry while CREATED. */
  createdAt: number;
  expiresAt: number;
  /** The opaque token in the payment's landing URL (what the QR code carries). */
  token: string;
  /** The URL that "scanning with the phone" opens: the phone page. */
  targetUrl: string;
  /** The create answer's redirectUrl (target URL, or a QR image URL). */
  redirectUrl?: string;
  /** True while the customer has the payment open in the app (the phone page): cancel is refused. */
  customerAuthorizing: boolean;
  /** profile.sub once authorized, when profile.scope was asked for. */
  profileSub?: string;
  /** Emulator time (ms) of the authorization. */
  authorizedAt?: number;
  /** Set by the tester: captures are refused with 6260 "Funds unavailable". */
  fundsUnavailable?: boolean;
  /** The service cancelled the remainder at the capture deadline. */
  cancelledAtDeadline?: boolean;
}

export interface Counters {
  /** Connections that carried at least one API request (ePayment or access token), on both ports. */
  connections: number;
  /** TLS handshakes of those connections. */
  tlsHandshakes: number;
  /** Key: route template, e.g. 'POST /epayment/v1/payments'. */
  requests: Record<string, number>;
  invalidRequests: number;
  invalidResponses: number;
}

export interface RecordedRequest {
  method: string;
  route: string | null;
  path: string;
  headers: Record<string, string>;
  body: string;
  validationErrors: string[];
  /** The status sent; 0 when the connection was reset before any headers. */
  status: number;
  /** Real time (epoch ms) the request's body had arrived. */
  receivedAt: number;
}

export interface Emulator {
  /** 'http://127.0.0.1:PORT' */
  baseUrl: string;
  /** 'https://localhost:PORT' */
  httpsBaseUrl?: string;
  rootCertificatePem: string;
  rootCertificatePemPath: string;
  rootCertificateDerPath: string;
  credentials: Credentials;
  /** As the customer would in the app (throws if not CREATED). */
  approve(reference: string): void;
  /** Customer rejects -> ABORTED. */
  reject(reference: string): void;
  /** -> EXPIRED */
  expire(reference: string): void;
  /** The customer opens the payment in the app (scans the QR): cancel answers 423 until they act. */
  openInApp(reference: string): void;
  /** Captures of this payment answer 400 ErrorCode 6260 "Funds unavailable" (until called with false). */
  fundsUnavailable(reference: string, unavailable?: boolean): void;
  /**
   * Somebody else (another machine or system on the same merchant serial number) creates a payment
   * under this reference, with its own idempotency key: a create of it by anyone else is answered 409.
   */
  createAsOtherSystem(reference: string, value?: number): void;
  /** Tokens issued from now on live this long; undefined (and reset()) brings back the default. */
  setTokenLifetime(seconds: number | undefined): void;
  /** Emulator time jumps ahead: tokens, the 10-minute payment expiry and the capture deadline follow it. */
  advanceClock(seconds: number): void;
  /** Emulator time in ms since the epoch. */
  now(): number;
  /** Report API entries show this long after they happened; undefined (and reset()) brings back the default. */
  setReportLag(seconds: number | undefined): void;
  reportLagSeconds(): number;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  payment(reference: string): PaymentRecord | undefined;
  payments(): PaymentRecord[];
  counters(): Counters;
  resetCounters(): void;
  requests(): RecordedRequest[];
  responseValidationErrors(): string[];
  /** Webhook registrations of every MSN, secrets included. */
  webhooks(): WebhookRegistration[];
  /** Every delivery attempt so far, in the order they ended. */
  webhookDeliveries(): WebhookAttempt[];
  injectWebhookFault(fault: WebhookFaultSpec): void;
  clearWebhookFaults(): void;
  webhookFaults(): ArmedWebhookFault[];
  /** Forget payments, tokens, faults, counters, recorded requests, webhook registrations and deliveries, and the clock offset. */
  reset(): void;
  save(file?: string): void;
  close(): Promise<void>;
}
