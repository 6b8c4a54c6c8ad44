// The emulator's own HTTP surface, beside the real API and under /emulator/ so that it can never
// collide with it: the admin API (plain JSON, for tests, the simulator, the desktop page and the
// tester page), the pages, the QR images and the root certificate.
import { readFileSync } from 'node:fs';
import { API_ROUTE_TEMPLATES } from './api-routes';
import { FaultError, type ArmedFault } from './faults';
import { handleWebhookAdmin } from './webhooks/admin-routes';
import { phonePage, testerPage } from './pages';
import { PaymentError } from './payments';
import { qrPng, qrSvg } from './qr-images';
import type { Emulator, FaultSpec, PaymentRecord } from './types';

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** What the admin surface needs beyond the public Emulator interface. */
export interface AdminTarget extends Emulator {
  faults(): ArmedFault[];
  reseed(seed: number): void;
  paymentByToken(token: string): PaymentRecord | undefined;
  clockOffsetSeconds(): number;
  merchantName: string;
}

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function handleAdmin(target: AdminTarget, method: string, url: URL, rawBody: string): RawReply {
  try {
    return route(target, method, url, rawBody);
  } catch (error) {
    if (error instanceof AdminError) return jsonReply(error.status, { error: error.message });
    if (error instanceof PaymentError) return jsonReply(error.status === 404 ? 404 : 409, { error: error.message, code: error.code });
    if (error instanceof FaultError || error instanceof RangeError) return jsonReply(400, { error: error.message });
    throw error;
  }
}

function route(target: AdminTarget, method: string, url: URL, rawBody: string): RawReply {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const is = (verb: string, pattern: RegExp): RegExpExecArray | null => (method === verb ? pattern.exec(path) : null);
  let m: RegExpExecArray | null;

  if (is('GET', /^\/$/)) return html(testerPage(target.merchantName, target.credentials.merchantSerialNumber));
  if ((m = is('GET', /^\/emulator\/pay\/([\w-]+)$/))) {
    const record = target.paymentByToken(m[1]!);
    if (!record) return html('<!doctype html><title>Unknown payment</title><p>This QR code is not a payment of this emulator.</p>', 404);
    // Opening the page is scanning the QR: the customer is now in the app, which blocks a cancel.
    if (record.state === 'CREATED') target.openInApp(record.reference);
    return html(phonePage(target.paymentByToken(m[1]!)!, target.merchantName));
  }
  if ((m = is('GET', /^\/emulator\/qr\/([\w-]+)\.(svg|png)$/))) {
    const record = target.paymentByToken(m[1]!);
    if (!record) throw new AdminError(404, 'no payment has this QR token');
    if (m[2] === 'svg') return { status: 200, headers: { 'content-type': 'image/svg+xml' }, body: qrSvg(record.targetUrl) };
    const size = Number(url.searchParams.get('size') ?? 1024);
    if (!Number.isInteger(size) || size < 100 || size > 2000) throw new AdminError(400, 'size must be an integer from 100 to 2000');
    return { status: 200, headers: { 'content-type': 'image/png' }, body: qrPng(record.targetUrl, size) };
  }
  if (is('GET', /^\/emulator\/root\.pem$/)) return { status: 200, headers: { 'content-type': 'application/x-pem-file' }, body: target.rootCertificatePem };
  if (is('GET', /^\/emulator\/root\.der$/)) return { status: 200, headers: { 'content-type': 'application/x-x509-ca-cert' }, body: readFileSync(target.rootCertificateDerPath) };

  const webhooks = path.startsWith('/emulator/webhooks') ? handleWebhookAdmin(target, method, path, rawBody) : undefined;
  if (webhooks) return webhooks;

  if (is('GET', /^\/emulator\/info$/)) {
    return jsonReply(200, {
      baseUrl: target.baseUrl,
      httpsBaseUrl: target.httpsBaseUrl ?? null,
      testerPage: `${target.baseUrl}/`,
      rootCertificatePemPath: target.rootCertificatePemPath,
      rootCertificateDerPath: target.rootCertificateDerPath,
      merchantSerialNumber: target.credentials.merchantSerialNumber,
      routes: API_ROUTE_TEMPLATES,
    });
  }
  if (is('GET', /^\/emulator\/payments$/)) return jsonReply(200, target.payments());
  if ((m = is('GET', /^\/emulator\/payments\/([^/]+)$/))) {
    const record = target.payment(decodeURIComponent(m[1]!));
    if (!record) throw new AdminError(404, `no payment with reference ${decodeURIComponent(m[1]!)}`);
    return jsonReply(200, record);
  }
  if ((m = is('POST', /^\/emulator\/payments\/([^/]+)\/(approve|reject|expire|open)$/))) {
    const reference = decodeURIComponent(m[1]!);
    const action = m[2] as 'approve' | 'reject' | 'expire' | 'open';
    if (action === 'open') target.openInApp(reference);
    else target[action](reference);
    return jsonReply(200, target.payment(reference));
  }
  if ((m = is('POST', /^\/emulator\/payments\/([^/]+)\/funds-unavailable$/))) {
    const reference = decodeURIComponent(m[1]!);
    const unavailable = parseBody(rawBody).unavailable ?? true;
    if (typeof unavailable !== 'boolean') throw new AdminError(400, 'unavailable must be true or false');
    target.fundsUnavailable(reference, unavailable);
    return jsonReply(200, target.payment(reference));
  }
  if (is('GET', /^\/emulator\/clock$/)) return jsonReply(200, clock(target));
  if (is('POST', /^\/emulator\/clock\/advance$/)) {
    const seconds = Number(parseBody(rawBody).seconds);
    if (!Number.isFinite(seconds) || seconds < 0) throw new AdminError(400, 'seconds must be a number >= 0');
    target.advanceClock(seconds);
    return jsonReply(200, clock(target));
  }
  if (is('GET', /^\/emulator\/faults$/)) return jsonReply(200, target.faults());
  if (is('POST', /^\/emulator\/faults$/)) {
    const body = parseBody(rawBody);
    const specs = (Array.isArray(body) ? body : [body]) as FaultSpec[];
    for (const spec of specs) target.injectFault(fromJsonFault(spec));
    return jsonReply(201, target.faults());
  }
  if (is('DELETE', /^\/emulator\/faults$/)) {
    target.clearFaults();
    return jsonReply(200, []);
  }
  if (is('POST', /^\/emulator\/seed$/)) {
    const seed = Number(parseBody(rawBody).seed);
    if (!Number.isInteger(seed)) throw new AdminError(400, 'seed must be an integer');
    target.reseed(seed);
    return jsonReply(200, { seed });
  }
  if (is('GET', /^\/emulator\/counters$/)) return jsonReply(200, target.counters());
  if (is('POST', /^\/emulator\/counters\/reset$/)) {
    target.resetCounters();
    return jsonReply(200, target.counters());
  }
  if (is('GET', /^\/emulator\/requests$/)) return jsonReply(200, target.requests());
  if (is('GET', /^\/emulator\/response-errors$/)) return jsonReply(200, target.responseValidationErrors());
  if (is('POST', /^\/emulator\/reset$/)) {
    target.reset();
    return jsonReply(200, { reset: true });
  }
  if (is('POST', /^\/emulator\/save$/)) {
    const file = parseBody(rawBody).file;
    if (file !== undefined && typeof file !== 'string') throw new AdminError(400, 'file must be a path');
    try {
      target.save(file);
    } catch (error) {
      throw new AdminError(400, (error as Error).message);
    }
    return jsonReply(200, { saved: true });
  }
  throw new AdminError(404, `no emulator route ${method} ${path}`);
}

/** JSON has no Infinity: `"times": "Infinity"` (or null) means every matching request. */
function fromJsonFault(spec: FaultSpec): FaultSpec {
  if (typeof spec !== 'object' || spec === null) throw new AdminError(400, 'a fault is a JSON object');
  const times = spec.times as unknown;
  return { ...spec, ...(times === 'Infinity' || times === null ? { times: Infinity } : {}) };
}

function clock(target: AdminTarget): Record<string, unknown> {
  const now = target.now();
  return { now: new Date(now).toISOString(), nowMs: now, offsetSeconds: target.clockOffsetSeconds() };
}

function parseBody(rawBody: string): Record<string, unknown> {
  if (rawBody.trim() === '') return {};
  try {
    return JSON.parse(rawBody) as Record<string, unknown>;
  } catch {
    throw new AdminError(400, 'the body must be JSON');
  }
}

export function jsonReply(status: number, value: unknown): RawReply {
  // Infinity (a fault's `times`) is written as the string the admin API accepts back.
  const body = JSON.stringify(value, (_key, v: unknown) => (v === Infinity ? 'Infinity' : v));
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body };
}

function html(body: string, status = 200): RawReply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body };
}
