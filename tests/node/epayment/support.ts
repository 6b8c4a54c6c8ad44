// Shared set-up for the socket tests: an emulator on a free port, and clients on Node's HTTP stack
// talking to it, with short timeouts and backoffs so that faults play out in milliseconds.
import assert from 'node:assert/strict';
import { EpaymentClient } from 'epayment/client';
import type { EpaymentConfig, RetryPolicy } from 'epayment/config';
import type { Amount, CreatePaymentInput } from 'epayment/types';
import { NodeHttpTransport } from '../../../hosts/node/http-transport';
import { systemClock } from '../../../hosts/node/system-clock';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../tools/emulator/index';

export const FAST_RETRY: Partial<RetryPolicy> = { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, rateLimitDelayMs: 50, maxRetryAfterMs: 5_000 };

export class Lines {
  readonly lines: string[] = [];
  info = (m: string) => { this.lines.push(`info ${m}`); };
  warn = (m: string) => { this.lines.push(`warn ${m}`); };
  error = (m: string) => { this.lines.push(`error ${m}`); };
}

export interface Rig {
  emulator: Emulator;
  client: EpaymentClient;
  transport: NodeHttpTransport;
  log: Lines;
  newClient(overrides?: Partial<EpaymentConfig>, https?: boolean): { client: EpaymentClient; transport: NodeHttpTransport };
  close(): Promise<void>;
}

let serial = 0;
/** A fresh, unique payment reference. */
export function newReference(prefix = 'sock'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++serial}`;
}

export const NOK = (value: number): Amount => ({ currency: 'NOK', value });

export function saleInput(reference: string, value = 2500): CreatePaymentInput {
  return {
    reference,
    amount: NOK(value),
    description: 'Ear buds',
    receipt: { orderLines: [{ id: 'slot-3', name: 'Ear buds', totalAmount: value, taxRate: 2500, quantity: 1 }], posId: 'vend-test' },
    minimumUserAge: 15,
    metadata: { slot: '3' },
  };
}

export async function startRig(options: EmulatorOptions = {}, config: Partial<EpaymentConfig> = {}): Promise<Rig> {
  const emulator = await startEmulator({ seed: 1, ...options });
  const log = new Lines();
  const clients: NodeHttpTransport[] = [];
  const newClient = (overrides: Partial<EpaymentConfig> = {}, https = false) => {
    const transport = new NodeHttpTransport(https ? { ca: emulator.rootCertificatePem } : {});
    clients.push(transport);
    const baseUrl = https ? emulator.httpsBaseUrl : emulator.baseUrl;
    if (!baseUrl) throw new Error('the emulator has no HTTPS endpoint: start it with httpsPort: 0');
    const client = new EpaymentClient({
      baseUrl,
      credentials: emulator.credentials,
      requestTimeoutMs: 1_000,
      log,
      ...config,
      ...overrides,
      retry: { ...FAST_RETRY, ...config.retry, ...overrides.retry },
    }, transport, systemClock);
    return { client, transport };
  };
  const first = newClient();
  return {
    emulator,
    log,
    ...first,
    newClient,
    async close() {
      for (const transport of clients) transport.close();
      await emulator.close();
    },
  };
}

/** Every request the client sent validated against the OpenAPI files, and every answer too. */
export function assertAllValid(emulator: Emulator): void {
  const requests = emulator.requests();
  assert.ok(requests.length > 0, 'no requests recorded');
  const invalid = requests.filter((r) => r.validationErrors.length > 0).map((r) => `${r.method} ${r.path}: ${r.validationErrors.join('; ')}`);
  assert.deepEqual(invalid, [], 'requests that break the spec');
  assert.equal(emulator.counters().invalidRequests, 0);
  assert.deepEqual(emulator.responseValidationErrors(), []);
}

export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, got an answer');
}
