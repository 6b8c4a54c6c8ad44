// Test helpers: a raw HTTP(S) client over node:http/https (so tests see exactly what a device would,
// including resets and damaged bodies) and a small ePayment client written from the public API
// documentation only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http, { type Agent, type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../tools/emulator/index';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Body chunks as they arrived (for the slow drip). */
  chunks: number;
  elapsedMs: number;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Trust this CA (PEM) for HTTPS. */
  ca?: string;
  agent?: Agent | false;
}

/** One request over a real socket. Rejects on a transport failure (reset, cut-off body). */
export function request(url: string, options: RequestOptions = {}): Promise<Answer> {
  const started = Date.now();
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const body = options.body ?? '';
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: options.method ?? 'GET',
        headers: { ...(body !== '' || options.method === 'POST' ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...options.headers },
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.agent !== undefined ? { agent: options.agent } : {}),
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
        res.on('end', () => {
          if (!res.complete) return reject(new Error('response incomplete'));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8'), chunks: parts.length, elapsedMs: Date.now() - started });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Like request(), but resolves with the status and headers as soon as they arrive, and how the body ended. */
export function requestHeadersThenBody(url: string, options: RequestOptions = {}): Promise<{ status: number; headers: IncomingHttpHeaders; bodyError: Promise<Error | undefined> }> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(target, { method: options.method ?? 'GET', headers: options.headers, ...(options.ca ? { ca: options.ca } : {}), agent: false }, (res) => {
      const bodyError = new Promise<Error | undefined>((settle) => {
        res.on('data', () => {});
        res.on('error', settle);
        res.on('aborted', () => settle(new Error('aborted')));
        res.on('end', () => settle(res.complete ? undefined : new Error('incomplete')));
        res.on('close', () => settle(res.complete ? undefined : new Error('closed early')));
      });
      resolve({ status: res.statusCode ?? 0, headers: res.headers, bodyError });
    });
    req.on('error', reject);
    req.end(options.body ?? '');
  });
}

export function newReference(): string {
  return `test-${randomBytes(8).toString('hex')}`;
}

export function createBody(reference: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: { currency: 'NOK', value: 2500 },
    paymentMethod: { type: 'WALLET' },
    reference,
    userFlow: 'QR',
    qrFormat: { format: 'TEXT/TARGETURL' },
    customerInteraction: 'CUSTOMER_PRESENT',
    paymentDescription: 'Cola 0.5 l',
    ...overrides,
  };
}

export function json<T = Record<string, any>>(answer: Answer): T {
  return JSON.parse(answer.body) as T;
}

/** The ErrorCode in a problem body's extraDetails, if any. */
export function errorCode(answer: Answer): string | undefined {
  const body = json(answer);
  return (body.extraDetails as Array<{ name: string; reason: string }> | undefined)?.find((detail) => detail.name === 'ErrorCode')?.reason;
}

export function assertProblem(answer: Answer, status: number, code?: string): void {
  assert.equal(answer.status, status, answer.body);
  assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
  const body = json(answer);
  assert.equal(body.status, status);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.traceId, 'string');
  if (code !== undefined) assert.equal(errorCode(answer), code, answer.body);
}

/**
 * A client of the real API's documented surface: exact paths and header names, nothing of the
 * emulator. `base` is the emulator's http or https base URL.
 */
export class ApiClient {
  token = '';
  constructor(
    readonly emulator: Emulator,
    readonly base: string = emulator.baseUrl,
    readonly transport: { ca?: string; agent?: Agent | false } = {},
  ) {}

  async fetchToken(extraHeaders: Record<string, string> = {}): Promise<Answer> {
    const { credentials } = this.emulator;
    const answer = await this.send('POST', '/accesstoken/get', undefined, {
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      'Ocp-Apim-Subscription-Key': credentials.subscriptionKey,
      'Merchant-Serial-Number': credentials.merchantSerialNumber,
      'Content-Type': 'application/json',
      ...extraHeaders,
    });
    if (answer.status === 200) this.token = json(answer).access_token as string;
    return answer;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      Authorization: `Bearer ${this.token}`,
      'Ocp-Apim-Subscription-Key': this.emulator.credentials.subscriptionKey,
      'Merchant-Serial-Number': this.emulator.credentials.merchantSerialNumber,
      'Vipps-System-Name': 'qr-vending',
      'Vipps-System-Version': '0.1.0',
      'Vipps-System-Plugin-Name': 'emulator-tests',
      'Vipps-System-Plugin-Version': '1.0.0',
      ...extra,
    };
  }

  create(body: Record<string, unknown>, idempotencyKey = `create-${body.reference as string}`): Promise<Answer> {
    return this.send('POST', '/epayment/v1/payments', JSON.stringify(body), this.headers({ 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey }));
  }

  get(reference: string, extra: Record<string, string> = {}): Promise<Answer> {
    return this.send('GET', `/epayment/v1/payments/${reference}`, undefined, this.headers(extra));
  }

  events(reference: string): Promise<Answer> {
    return this.send('GET', `/epayment/v1/payments/${reference}/events`, undefined, this.headers());
  }

  capture(reference: string, value: number, idempotencyKey = `capture-${reference}-${value}`, currency = 'NOK'): Promise<Answer> {
    return this.modify('capture', reference, { modificationAmount: { currency, value } }, idempotencyKey);
  }

  refund(reference: string, value: number, idempotencyKey = `refund-${reference}-${value}`): Promise<Answer> {
    return this.modify('refund', reference, { modificationAmount: { currency: 'NOK', value } }, idempotencyKey);
  }

  /** `body` undefined sends an empty body with Content-Type: application/json, as real clients do. */
  cancel(reference: string, body?: Record<string, unknown>, idempotencyKey: string | undefined = `cancel-${reference}`): Promise<Answer> {
    return this.send(
      'POST',
      `/epayment/v1/payments/${reference}/cancel`,
      body === undefined ? '' : JSON.stringify(body),
      this.headers({ 'Content-Type': 'application/json', ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}) }),
    );
  }

  forceApprove(reference: string, body?: Record<string, unknown>): Promise<Answer> {
    return this.send('POST', `/epayment/v1/test/payments/${reference}/approve`, body === undefined ? '' : JSON.stringify(body), this.headers({ 'Content-Type': 'application/json' }));
  }

  modify(operation: 'capture' | 'refund', reference: string, body: unknown, idempotencyKey: string): Promise<Answer> {
    return this.send('POST', `/epayment/v1/payments/${reference}/${operation}`, JSON.stringify(body), this.headers({ 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey }));
  }

  send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Answer> {
    return request(this.base + path, { method, headers, ...(body !== undefined ? { body } : {}), ...this.transport });
  }

  /** Token, create, and (unless `approve` is false) the customer's approval. */
  async payment(overrides: Record<string, unknown> = {}, approve = true): Promise<string> {
    if (!this.token) assert.equal((await this.fetchToken()).status, 200);
    const reference = newReference();
    const created = await this.create(createBody(reference, overrides));
    assert.equal(created.status, 201, created.body);
    if (approve) this.emulator.approve(reference);
    return reference;
  }
}

/**
 * Starts an emulator for one test file and closes it after; after every test, asserts that every
 * answer it sent was valid against the OpenAPI files.
 */
export function useEmulator(options: EmulatorOptions = {}): { readonly emulator: Emulator; readonly client: ApiClient } {
  const context = {} as { emulator: Emulator; client: ApiClient };
  beforeEach(async () => {
    context.emulator = await startEmulator(options);
    context.client = new ApiClient(context.emulator);
  });
  afterEach(async () => {
    const errors = context.emulator.responseValidationErrors();
    await context.emulator.close();
    assert.deepEqual(errors, [], 'every answer of the emulator must validate against the OpenAPI files');
  });
  return context;
}
