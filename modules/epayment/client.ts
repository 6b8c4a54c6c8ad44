// The device's client for the Access Token and ePayment APIs: the only code that knows their
// paths, headers and JSON. Runs wherever an HttpTransport and a Clock exist (Node, XS, device).
import { resolveConfig, type EpaymentConfig, type ResolvedConfig } from 'epayment/config';
import { TransportError, UnexpectedResponseError } from 'epayment/errors';
import { exchange, GUARD_SLACK_MS } from 'epayment/exchange';
import type { HttpResponse, HttpTransport } from 'epayment/http-transport';
import { idempotencyKey, type IdempotentOperation } from 'epayment/idempotency';
import { apiError } from 'epayment/problem';
import { checkModificationAmount, checkReference, createPaymentBody } from 'epayment/requests';
import { parseJson, readCreatedPayment, readEvents, readPaymentStatus, readToken, type TokenAnswer } from 'epayment/responses';
import { withRetries } from 'epayment/retry';
import { AccessTokenCache } from 'epayment/token';
import type { Amount, CallOptions, CancelOptions, CreatedPayment, CreatePaymentInput, PaymentEvent, PaymentStatus } from 'epayment/types';
import type { Clock } from 'ports/clock';
import type { Log } from 'ports/log';

const PAYMENTS = '/epayment/v1/payments';
const TOKEN_PATH = '/accesstoken/get';

interface Call<T> {
  what: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  idempotency?: { operation: IdempotentOperation; reference: string; amount?: number };
  /** Success statuses this operation answers with. */
  ok: readonly number[];
  read(json: unknown, status: number): T;
}

export interface ClientStats {
  /** HTTP exchanges started, token requests included. */
  requests: number;
  tokenFetches: number;
}

export class EpaymentClient {
  // Runtime-private (not just TypeScript-private): JSON.stringify or inspect of the client never shows the credentials.
  readonly #config: ResolvedConfig;
  readonly stats: ClientStats = { requests: 0, tokenFetches: 0 };
  private readonly tokens: AccessTokenCache;
  private readonly log: Log;

  constructor(config: EpaymentConfig, private readonly transport: HttpTransport, private readonly clock: Clock) {
    this.#config = resolveConfig(config);
    const raw = this.#config.log;
    const redact = (text: string) => this.redact(text);
    // Belt and braces: no line leaves the client with a secret in it, whoever wrote it.
    this.log = { info: (m) => raw.info(redact(m)), warn: (m) => raw.warn(redact(m)), error: (m) => raw.error(redact(m)) };
    this.tokens = new AccessTokenCache((early) => this.fetchToken(early), clock, this.#config.tokenRenewBeforeMs, this.log);
  }

  /** The API's base URL, as configured (normalised). */
  get baseUrl(): string {
    return this.#config.baseUrl;
  }

  /** Fetches (or renews) the access token now, off the customer's path; call it while idle. */
  async warmUp(options?: CallOptions): Promise<void> {
    await withRetries(this.retryContext('access token', options), () => this.tokens.renewDue());
  }

  /** Milliseconds before the token is due for renewal; 0 when a call would fetch one. */
  tokenFreshForMs(): number {
    return this.tokens.freshForMs();
  }

  /**
   * The longest a create call may keep a create request on the wire, from its start: its deadline
   * when it has one, else every try timing out (a token fetch and a 401 renewal each) with the
   * longest waits between them. A create sent by such a call cannot land later than this, unless
   * the service itself holds it.
   */
  createWindowMs(deadlineMs?: number): number {
    const { retry, requestTimeoutMs } = this.#config;
    const everyTryTimesOut = retry.attempts * 4 * (requestTimeoutMs + GUARD_SLACK_MS) + (retry.attempts - 1) * retry.maxRetryAfterMs;
    return deadlineMs === undefined ? everyTryTimesOut : Math.min(deadlineMs, everyTryTimesOut);
  }

  /** POST /epayment/v1/payments: a QR payment; the answer's redirectUrl is the QR text. */
  async createPayment(input: CreatePaymentInput, options?: CallOptions): Promise<CreatedPayment> {
    const body = createPaymentBody(input);
    const reference = input.reference;
    return this.call({
      what: 'create payment',
      method: 'POST',
      path: PAYMENTS,
      body,
      idempotency: { operation: 'create', reference },
      ok: [200, 201],
      read: (json, status) => readCreatedPayment(json, reference, status),
    }, options);
  }

  async getPayment(reference: string, options?: CallOptions): Promise<PaymentStatus> {
    checkReference(reference);
    return this.call({
      what: 'get payment',
      method: 'GET',
      path: `${PAYMENTS}/${reference}`,
      ok: [200],
      read: (json, status) => readPaymentStatus(json, reference, 'get payment', status),
    }, options);
  }

  async getEvents(reference: string, options?: CallOptions): Promise<PaymentEvent[]> {
    checkReference(reference);
    return this.call({
      what: 'get payment events',
      method: 'GET',
      path: `${PAYMENTS}/${reference}/events`,
      ok: [200],
      read: (json, status) => readEvents(json, reference, status),
    }, options);
  }

  /** Only after the product was delivered. One capture per reference and amount (the key says so). */
  async capture(reference: string, amount: Amount, options?: CallOptions): Promise<PaymentStatus> {
    return this.modify('capture', reference, amount, options);
  }

  async refund(reference: string, amount: Amount, options?: CallOptions): Promise<PaymentStatus> {
    return this.modify('refund', reference, amount, options);
  }

  /** With cancelTransactionOnly, an authorized payment is left alone and the answer is ErrorCode 6060. */
  async cancel(reference: string, cancelOptions: CancelOptions = {}, options?: CallOptions): Promise<PaymentStatus> {
    checkReference(reference);
    const only = cancelOptions.cancelTransactionOnly === true;
    return this.call({
      what: only ? 'cancel payment (transaction only)' : 'cancel payment',
      method: 'POST',
      path: `${PAYMENTS}/${reference}/cancel`,
      body: { cancelTransactionOnly: only },
      idempotency: { operation: only ? 'canceltx' : 'cancel', reference },
      ok: [200],
      read: (json, status) => readPaymentStatus(json, reference, 'cancel payment', status),
    }, options);
  }

  /** What a dump of the client shows: never the credentials, the token or the transport's records. */
  toJSON(): { baseUrl: string; stats: ClientStats } {
    return { baseUrl: this.baseUrl, stats: { ...this.stats } };
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.transport.close?.();
  }

  private async modify(operation: 'capture' | 'refund', reference: string, amount: Amount, options?: CallOptions): Promise<PaymentStatus> {
    checkReference(reference);
    const modificationAmount = checkModificationAmount(amount);
    const what = `${operation} payment`;
    return this.call({
      what,
      method: 'POST',
      path: `${PAYMENTS}/${reference}/${operation}`,
      body: { modificationAmount },
      idempotency: { operation, reference, amount: modificationAmount.value },
      ok: [200],
      read: (json, status) => readPaymentStatus(json, reference, what, status),
    }, options);
  }

  private retryContext(what: string, options?: CallOptions, endAt?: number) {
    const { retry, random } = this.#config;
    return { policy: retry, attempts: options?.attempts ?? retry.attempts, clock: this.clock, log: this.log, random, what, ...(endAt === undefined ? {} : { endAt }) };
  }

  /** The token, or a timeout once the call's deadline passes first. */
  private tokenBefore(endAt: number | undefined, what: string): Promise<string> {
    const token = this.tokens.get();
    if (endAt === undefined) return token;
    return new Promise<string>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => reject(new TransportError('timeout', `${what}: no access token before the deadline`)), Math.max(0, endAt - this.clock.now()));
      token.then(
        (value) => { this.clock.clearTimeout(timer); resolve(value); },
        (error: unknown) => { this.clock.clearTimeout(timer); reject(error); },
      );
    });
  }

  private call<T>(call: Call<T>, options?: CallOptions): Promise<T> {
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const key = call.idempotency && idempotencyKey(call.idempotency.operation, call.idempotency.reference, call.idempotency.amount);
    let renewed = false;
    const endAt = options?.deadlineMs === undefined ? undefined : this.clock.now() + options.deadlineMs;
    return withRetries(this.retryContext(call.what, options, endAt), async () => {
      let token = await this.tokenBefore(endAt, call.what);
      let response = await this.send(call, this.headers(token, key, body !== undefined), body, endAt);
      if (response.status === 401 && !renewed) {
        // Revoked or expired early: renew once, for this call and everyone waiting.
        renewed = true;
        this.log.warn(`${call.what}: HTTP 401; renewing the access token`);
        this.tokens.invalidate(token);
        token = await this.tokenBefore(endAt, call.what);
        response = await this.send(call, this.headers(token, key, body !== undefined), body, endAt);
      }
      return this.answer(call.what, response, call.ok, call.read);
    });
  }

  private headers(token: string, key: string | undefined, hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { Authorization: this.bearer(token), ...this.commonHeaders() };
    if (key !== undefined) headers['Idempotency-Key'] = key;
    if (hasBody) headers['Content-Type'] = 'application/json';
    return headers;
  }

  // The token is 1000+ characters: its header value is built once per token, not once per request
  // (on XS every new string of that size is chunk memory the device's small heap must find).
  #bearerFor: string | undefined;
  #bearer = '';
  private bearer(token: string): string {
    if (this.#bearerFor !== token) {
      this.#bearerFor = token;
      this.#bearer = `Bearer ${token}`;
    }
    return this.#bearer;
  }

  private commonHeaders(): Record<string, string> {
    const { credentials, system } = this.#config;
    return {
      'Ocp-Apim-Subscription-Key': credentials.subscriptionKey,
      'Merchant-Serial-Number': credentials.merchantSerialNumber,
      'Vipps-System-Name': system.name,
      'Vipps-System-Version': system.version,
      'Vipps-System-Plugin-Name': system.pluginName,
      'Vipps-System-Plugin-Version': system.pluginVersion,
    };
  }

  private async send(call: { what: string; method: 'GET' | 'POST'; path: string }, headers: Record<string, string>, body: string | undefined, endAt?: number): Promise<HttpResponse> {
    const started = this.clock.now();
    // Past the call's deadline nothing more is sent; the last request gets only the time left.
    const timeoutMs = endAt === undefined ? this.#config.requestTimeoutMs : Math.min(this.#config.requestTimeoutMs, endAt - started - GUARD_SLACK_MS);
    if (timeoutMs <= 0) throw new TransportError('timeout', `${call.what}: deadline passed`);
    this.stats.requests++;
    const request = {
      method: call.method,
      url: this.#config.baseUrl + call.path,
      headers,
      timeoutMs,
      maxResponseBytes: this.#config.maxResponseBytes,
      ...(body === undefined ? {} : { body }),
    };
    const response = await exchange(this.transport, this.clock, request);
    this.log.info(`${call.what}: HTTP ${response.status} in ${this.clock.now() - started} ms`);
    return response;
  }

  private answer<T>(what: string, response: HttpResponse, ok: readonly number[], read: (json: unknown, status: number) => T): T {
    const { status } = response;
    if (ok.includes(status)) return read(parseJson(response.body, what, status), status);
    if (status >= 400) throw apiError(what, response, (text) => this.redact(text));
    throw new UnexpectedResponseError(`${what}: unexpected HTTP ${status}`, 'status', status);
  }

  /** `early`: the current token is still usable, so this renewal is kept short (tokenRenewTimeoutMs). */
  private async fetchToken(early: boolean): Promise<TokenAnswer> {
    const { credentials, tokenRenewTimeoutMs } = this.#config;
    const headers = { client_id: credentials.clientId, client_secret: credentials.clientSecret, ...this.commonHeaders() };
    const endAt = early ? this.clock.now() + tokenRenewTimeoutMs + GUARD_SLACK_MS : undefined;
    const response = await this.send({ what: 'access token', method: 'POST', path: TOKEN_PATH }, headers, undefined, endAt);
    const answer = this.answer('access token', response, [200], readToken);
    this.stats.tokenFetches++;
    return answer;
  }

  /** Replaces every known secret in `text`. */
  private redact(text: string): string {
    const { clientSecret, subscriptionKey } = this.#config.credentials;
    let clean = this.tokens === undefined ? text : this.tokens.redact(text);
    for (const secret of [clientSecret, subscriptionKey]) {
      if (secret.length >= 4 && clean.includes(secret)) clean = clean.split(secret).join('[redacted]');
    }
    return clean;
  }
}
