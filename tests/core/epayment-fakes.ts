// An in-memory ePayment service behind the HttpTransport port, for the portable tests (Node and
// XS, no sockets): it answers the token and payment routes like the real API, records every
// request, and lets a test queue one-off answers, transport errors or silence per route.
import { TransportError } from 'epayment/errors';
import type { HttpRequest, HttpResponse, HttpTransport } from 'epayment/http-transport';
import type { EpaymentConfig } from 'epayment/config';
import type { PaymentState } from 'epayment/types';
import { ManualClock } from '../support/manual-clock';

export const SECRETS = {
  clientId: 'client-id-0001',
  clientSecret: 'SECRET-client-secret-value',
  subscriptionKey: 'SECRET-subscription-key-value',
  merchantSerialNumber: '123456',
};

export function testConfig(overrides: Partial<EpaymentConfig> = {}): EpaymentConfig {
  return { baseUrl: 'https://api.example.test', credentials: { ...SECRETS }, random: () => 0, ...overrides };
}

export type Route = 'token' | 'create' | 'get' | 'events' | 'capture' | 'cancel' | 'refund' | 'other';

export type Scripted = HttpResponse | TransportError | 'hang' | ((request: HttpRequest) => HttpResponse | Promise<HttpResponse>);

interface FakePayment {
  reference: string;
  state: PaymentState;
  amount: { currency: string; value: number };
  captured: number;
  cancelled: number;
  refunded: number;
  /** The create's Idempotency-Key, when it came through the API. */
  createKey?: string;
  /** Sent as captureGuaranteedUntil on reads, when set. */
  guaranteedUntil?: string;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function problem(status: number, code?: string, headers: Record<string, string> = {}, title = 'Problem'): HttpResponse {
  const body: Record<string, unknown> = { type: `https://httpstatuses.io/${status}`, title, status, traceId: 'trace-1' };
  if (code !== undefined) body.extraDetails = [{ name: 'ErrorCode', reason: code }];
  return { status, headers: { 'content-type': 'application/problem+json', ...headers }, body: JSON.stringify(body) };
}

export function routeOf(request: HttpRequest): Route {
  const path = request.url.replace(/^https?:\/\/[^/]+/, '');
  if (path === '/accesstoken/get') return 'token';
  if (path === '/epayment/v1/payments') return 'create';
  const m = /^\/epayment\/v1\/payments\/[^/]+(\/(events|capture|cancel|refund))?$/.exec(path);
  if (!m) return 'other';
  return (m[2] as Route | undefined) ?? 'get';
}

export class FakeService implements HttpTransport {
  readonly clock: ManualClock;
  readonly requests: HttpRequest[] = [];
  readonly payments = new Map<string, FakePayment>();
  tokenLifetimeSeconds = 3600;
  tokensIssued = 0;
  /** Tokens the service accepts; a test can revoke one. */
  readonly validTokens = new Set<string>();
  private readonly scripts = new Map<Route, Scripted[]>();
  closed = 0;

  constructor(clock = new ManualClock()) {
    this.clock = clock;
  }

  /** Queues one-off answers for a route, used before the normal behaviour. */
  script(route: Route, ...answers: Scripted[]): void {
    this.scripts.set(route, [...(this.scripts.get(route) ?? []), ...answers]);
  }

  count(route: Route): number {
    return this.requests.filter((request) => routeOf(request) === route).length;
  }

  of(route: Route): HttpRequest[] {
    return this.requests.filter((request) => routeOf(request) === route);
  }

  close(): void {
    this.closed++;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    this.requests.push(request);
    const route = routeOf(request);
    const queued = this.scripts.get(route);
    const next = queued?.shift();
    if (next !== undefined) {
      if (next === 'hang') return new Promise<HttpResponse>(() => {});
      if (next instanceof TransportError) throw next;
      if (typeof next === 'function') return next(request);
      return next;
    }
    // As the real service: the same idempotency key on a modification returns the first answer.
    const key = request.method === 'POST' ? request.headers['Idempotency-Key'] : undefined;
    const remembered = key === undefined ? undefined : this.idempotent.get(key);
    if (remembered) return remembered;
    const response = this.normal(route, request);
    if (key !== undefined && response.status < 300) this.idempotent.set(key, response);
    return response;
  }

  private readonly idempotent = new Map<string, HttpResponse>();

  private normal(route: Route, request: HttpRequest): HttpResponse {
    if (route === 'token') {
      const token = `tok-${++this.tokensIssued}-${'x'.repeat(1000)}`;
      this.validTokens.add(token);
      const now = Math.floor(this.clock.now() / 1000);
      return json(200, {
        token_type: 'Bearer',
        expires_in: String(this.tokenLifetimeSeconds),
        ext_expires_in: '0',
        expires_on: String(now + this.tokenLifetimeSeconds),
        not_before: String(now),
        resource: '00000002-0000-0000-c000-000000000000',
        access_token: token,
      });
    }
    const auth = request.headers.Authorization ?? '';
    if (!this.validTokens.has(auth.replace(/^Bearer /, ''))) return problem(401);
    const path = request.url.replace(/^https?:\/\/[^/]+/, '');
    const reference = path.split('/')[4] ?? '';
    const body = request.body === undefined ? {} : JSON.parse(request.body);
    if (route === 'create') {
      const existing = this.payments.get(body.reference);
      if (!existing) this.payments.set(body.reference, { reference: body.reference, state: 'CREATED', amount: body.amount, captured: 0, cancelled: 0, refunded: 0, createKey: request.headers['Idempotency-Key'] });
      return json(201, { reference: body.reference, redirectUrl: `https://landing.example.test/?token=${body.reference}` });
    }
    const payment = this.payments.get(reference);
    if (!payment) return problem(404);
    if (route === 'capture') {
      if (payment.state !== 'AUTHORIZED') return problem(400, '6080');
      payment.captured += body.modificationAmount.value;
    } else if (route === 'cancel') {
      if (payment.state === 'AUTHORIZED' && body.cancelTransactionOnly) return problem(400, '6060');
      if (payment.state === 'CREATED') payment.state = 'TERMINATED';
      else payment.cancelled = payment.amount.value - payment.captured;
    } else if (route === 'refund') {
      payment.refunded += body.modificationAmount.value;
    } else if (route === 'events') {
      return json(200, [{ reference, pspReference: 'psp-1', name: 'CREATED', amount: payment.amount, timestamp: '2026-01-01T00:00:00Z', success: true, ...(payment.createKey ? { idempotencyKey: payment.createKey } : {}) }]);
    }
    return json(200, this.view(payment));
  }

  view(payment: FakePayment): Record<string, unknown> {
    const amount = (value: number) => ({ currency: payment.amount.currency, value });
    const authorized = payment.state === 'AUTHORIZED' ? payment.amount.value : 0;
    return {
      reference: payment.reference,
      state: payment.state,
      amount: payment.amount,
      aggregate: { authorizedAmount: amount(authorized), capturedAmount: amount(payment.captured), cancelledAmount: amount(payment.cancelled), refundedAmount: amount(payment.refunded) },
      paymentMethod: { type: 'WALLET' },
      profile: {},
      pspReference: 'psp-1',
      ...(payment.guaranteedUntil ? { captureGuaranteedUntil: payment.guaranteedUntil } : {}),
    };
  }

  setState(reference: string, state: PaymentState): void {
    const payment = this.payments.get(reference);
    if (!payment) throw new Error(`no payment ${reference}`);
    payment.state = state;
  }
}

/** Collects every log line, to scan for secrets. */
export class RecordingLog {
  readonly lines: string[] = [];
  info(message: string): void { this.lines.push(`info ${message}`); }
  warn(message: string): void { this.lines.push(`warn ${message}`); }
  error(message: string): void { this.lines.push(`error ${message}`); }
}

/** Waits for a promise while the manual clock runs timers, so retries and timeouts play out. */
export async function drive<T>(clock: ManualClock, promise: Promise<T>, limitMs = 600_000): Promise<T> {
  let done = false;
  const watched = promise.then(
    (value) => { done = true; return value; },
    (error: unknown) => { done = true; throw error; },
  );
  watched.catch(() => {});
  const end = clock.now() + limitMs;
  while (!done && clock.now() < end) {
    await clock.advance(100);
  }
  return watched;
}
