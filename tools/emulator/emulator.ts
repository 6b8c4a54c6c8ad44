// startEmulator: builds the parts, puts them behind the two servers, and hands back the facade that
// tests and the admin API drive.
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AdminTarget } from './admin';
import { EpaymentApi } from './api';
import { API_ROUTE_TEMPLATES } from './api-routes';
import { ensureCertificateChain } from './certificates';
import { Clock } from './clock';
import { CounterSet } from './counters';
import { DEFAULT_CREDENTIALS } from './credentials';
import { FaultPlan } from './faults';
import { IdempotencyStore } from './idempotency';
import { OpenApiContract } from './openapi';
import { PaymentBook } from './payments';
import { REAL_RATE_LIMITS, RateLimiter } from './rate-limits';
import { RequestLog } from './request-log';
import { ReportApi } from './report/report-api';
import { ReportSettings } from './report/report-settings';
import { RequestPipeline } from './request-pipeline';
import { readState, writeState, type SavedState } from './state-file';
import { TokenIssuer } from './tokens';
import { Transport, type Scheme } from './transport';
import type { Credentials, Emulator, EmulatorOptions } from './types';
import { WebhookService } from './webhooks/service';

export const DEFAULT_CERT_DIR = fileURLToPath(new URL('../../.emulator/certs/', import.meta.url));
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const credentials: Credentials = { ...DEFAULT_CREDENTIALS, ...withoutUndefined(options.credentials ?? {}) };
  const contract = OpenApiContract.load();
  const clock = new Clock(options.now);
  const tokens = new TokenIssuer(clock, options.tokenLifetimeSeconds ?? 3600);
  const payments = new PaymentBook(clock);
  const idempotency = new IdempotencyStore();
  const rateLimiter = new RateLimiter(clock);
  const faults = new FaultPlan(options.seed ?? randomInt(2 ** 31), API_ROUTE_TEMPLATES);
  const counters = new CounterSet();
  const requestLog = new RequestLog();
  const closing = new AbortController();
  const webhooks = new WebhookService({ merchantSerialNumber: credentials.merchantSerialNumber, payments: () => payments.all(), delivery: options.webhooks, log });
  const api = new EpaymentApi({
    credentials,
    tokens,
    payments,
    idempotency,
    rateLimiter,
    rateLimits: options.rateLimits === false ? false : { ...REAL_RATE_LIMITS, ...options.rateLimits },
    webhooks: webhooks.api,
  });

  const reportSettings = new ReportSettings({ lagSeconds: options.reportLagSeconds, pageSize: options.reportPageSize });
  const report = new ReportApi({ credentials, tokens, payments, clock, settings: reportSettings });

  const chain = ensureCertificateChain(options.certDir ?? DEFAULT_CERT_DIR, certificateHosts(host));

  const memory = {
    save: (): Memory => ({ clockOffsetMs: clock.offset, payments: payments.save(), idempotency: idempotency.save(), tokens: tokens.save(), webhooks: webhooks.registry.save() }),
    load(state: Memory): void {
      clock.setOffsetMs(state.clockOffsetMs);
      payments.load(state.payments);
      idempotency.load(state.idempotency);
      tokens.load(state.tokens);
      webhooks.registry.load(state.webhooks);
    },
  };
  if (options.stateFile) {
    const saved = readState(options.stateFile);
    if (saved) {
      memory.load(saved);
      webhooks.acknowledgeLoaded();
      webhooks.resume(saved.webhookDeliveries);
      log(`loaded ${saved.payments.length} payment(s) from ${options.stateFile}`);
    }
  }

  const urlHost = WILDCARD_HOSTS.has(host) ? '127.0.0.1' : isIP(host) === 6 ? `[${host}]` : host;
  const endpoints = { baseUrl: '', httpsBaseUrl: undefined as string | undefined };

  const emulator: AdminTarget = {
    get baseUrl() {
      return endpoints.baseUrl;
    },
    get httpsBaseUrl() {
      return endpoints.httpsBaseUrl;
    },
    rootCertificatePem: chain.rootPem,
    rootCertificatePemPath: chain.rootPemPath,
    rootCertificateDerPath: chain.rootDerPath,
    credentials,
    merchantName: options.merchantName ?? 'Emulator Vending AS',
    approve: (reference) => void (payments.approve(reference), webhooks.notice()),
    reject: (reference) => void (payments.reject(reference), webhooks.notice()),
    expire: (reference) => void (payments.expire(reference), webhooks.notice()),
    openInApp: (reference) => void payments.openInApp(reference),
    fundsUnavailable: (reference, unavailable = true) => void payments.setFundsUnavailable(reference, unavailable),
    createAsOtherSystem(reference, value = 9900) {
      const key = `other-system-${reference}`.slice(0, 50);
      const body = { amount: { currency: 'NOK', value }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'QR' as const, paymentDescription: 'Another system\'s payment' };
      payments.create(body, key, endpoints.baseUrl);
      webhooks.notice();
    },
    setTokenLifetime: (seconds) => tokens.setLifetime(seconds),
    advanceClock(seconds) {
      clock.advance(seconds);
      payments.sweep();
      webhooks.notice();
    },
    now: () => clock.now(),
    setReportLag: (seconds) => reportSettings.setLag(seconds),
    reportLagSeconds: () => reportSettings.lagSeconds,
    clockOffsetSeconds: () => clock.offsetSeconds,
    injectFault: (fault) => void faults.add(fault),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    reseed: (seed) => faults.reseed(seed),
    payment: (reference) => structuredClone(payments.find(reference)),
    payments: () => structuredClone(payments.all()),
    paymentByToken: (token) => structuredClone(payments.findByToken(token)),
    counters: () => counters.snapshot(),
    resetCounters: () => counters.reset(),
    requests: () => requestLog.requests(),
    responseValidationErrors: () => requestLog.responseValidationErrors(),
    webhooks: () => webhooks.registry.list(),
    webhookDeliveries: () => webhooks.attempts(),
    injectWebhookFault: (fault) => void webhooks.faults.add(fault),
    clearWebhookFaults: () => webhooks.faults.clear(),
    webhookFaults: () => webhooks.faults.list(),
    reset() {
      payments.clear();
      idempotency.clear();
      tokens.clear();
      tokens.setLifetime(undefined);
      rateLimiter.clear();
      faults.clear();
      counters.reset();
      requestLog.clear();
      clock.setOffsetMs(0);
      reportSettings.reset();
      webhooks.reset();
    },
    save(file) {
      const target = file ?? options.stateFile;
      if (!target) throw new Error('no state file: pass one to save(), or start the emulator with stateFile');
      writeState(target, { ...memory.save(), webhookDeliveries: webhooks.owed() });
      log(`saved ${payments.all().length} payment(s) to ${target}`);
    },
    async close() {
      closing.abort();
      await transport.close();
      // Saved before the deliveries stop: the one under way when they do is still owed.
      if (options.stateFile) emulator.save();
      await webhooks.close();
    },
  };

  const pipeline = new RequestPipeline({
    contract,
    api,
    report,
    faults,
    counters,
    requestLog,
    admin: emulator,
    snapshot() {
      const saved = memory.save();
      return () => memory.load(saved);
    },
    beforeRequest: () => payments.sweep(),
    afterOperation: () => webhooks.notice(),
    fallbackHost: (scheme: Scheme) => new URL(scheme === 'https' && endpoints.httpsBaseUrl ? endpoints.httpsBaseUrl : endpoints.baseUrl).host,
    log,
    closing: closing.signal,
  });

  const transport = new Transport({
    host,
    port: options.port ?? 0,
    httpsPort: options.httpsPort ?? false,
    tls: { key: chain.key, cert: chain.cert },
    handler: pipeline.handle,
  });
  const listening = await transport.listen();
  endpoints.baseUrl = `http://${urlHost}:${listening.httpPort}`;
  // The leaf names localhost, 127.0.0.1 and ::1; the HTTPS base URL uses the name, as a device would.
  if (listening.httpsPort !== undefined) endpoints.httpsBaseUrl = `https://${LOOPBACK_HOSTS.has(host) || WILDCARD_HOSTS.has(host) ? 'localhost' : urlHost}:${listening.httpsPort}`;
  return emulator;
}

/** What a state file holds, and what a fault with processed:false puts back. */
type Memory = Omit<SavedState, 'version' | 'savedAt'>;

/**
 * Names the leaf carries beyond localhost, 127.0.0.1 and ::1: the listen address, or on a wildcard
 * address this machine's own addresses, so that a device on the LAN can verify the emulator.
 */
function certificateHosts(host: string): string[] {
  if (LOOPBACK_HOSTS.has(host)) return [];
  if (!WILDCARD_HOSTS.has(host)) return [host];
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && !address.internal && (host !== '0.0.0.0' || address.family === 'IPv4'))
    .map((address) => address!.address.replace(/%.*$/, ''));
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
