// The machine every scenario runs: one stocked product with a level drop sensor, and the controller's timing
// made short (real time, so scenarios run concurrently in one process and still end in seconds).
import { EpaymentClient } from 'epayment/client';
import type { Log } from 'ports/log';
import type { SecretStore } from 'ports/secrets';
import type { MachineTiming } from 'app/sale/machine';
import { NodeHttpTransport } from '../../hosts/node/http-transport';
import { systemClock } from '../../hosts/node/system-clock';
import type { Credentials, Emulator } from '../emulator/index';
import { REQUEST_TIMEOUT_MS, TOKEN_RENEW_TIMEOUT_MS } from './scenarios';

export const PRODUCT = 'item';
export const PRICE = 2500;
/** Units stocked at the start: the stock invariant counts against it. */
export const STOCK = 5;

export const MATRIX_CONFIG = {
  posId: 'fault-matrix',
  languages: ['en'],
  currency: 'NOK',
  brand: 'Vipps',
  timeZoneOffsetMinutes: 0,
  qrTimeLimitSeconds: 30,
  idleTimeoutSeconds: 3600,
  walkAwayTimeoutSeconds: 1,
  createDeadlineMs: 3000,
  operatorContact: 'Help: +47 22 00 00 00',
  catalog: [{
    id: PRODUCT,
    names: { en: 'Fault matrix item' },
    price: PRICE,
    vatRate: 2500,
    soldOut: false,
    stock: STOCK,
    output: { pin: 26, pulseMs: 20, activeLow: false },
    // Level mode: the one a product stuck in the beam can fool.
    dropSensor: { pin: 35, timeoutMs: 100, mode: 'level', activeLow: true },
  }],
};

export const MATRIX_TIMING: Partial<MachineTiming> = {
  pollFirstMs: 100,
  pollIntervalMs: 500,
  pollMarginMs: 1000,
  resultScreenMs: 100,
  noticeMs: 100,
  reversingMs: 500,
  tokenRetryMs: 200,
  tokenRetryMaxMs: 1000,
  cancelRetryMs: 100,
  journalRetryMs: 200,
  // Overdue captures (6260) stay queued, retried hourly: an expected end state.
  settlements: { retryMs: 100, maxRetryMs: 1000, lockedRetryMs: 200, overdueRetryMs: 3_600_000, cancelFailuresOutOfService: 5, notFoundRetryMs: 300 },
};

export function matrixClient(emulator: Emulator, log: Log): { client: EpaymentClient; transport: NodeHttpTransport } {
  const transport = new NodeHttpTransport();
  const client = new EpaymentClient({
    baseUrl: emulator.baseUrl,
    credentials: emulator.credentials,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    tokenRenewTimeoutMs: TOKEN_RENEW_TIMEOUT_MS,
    log,
    retry: { baseDelayMs: 50, maxDelayMs: 400, rateLimitDelayMs: 200, maxRetryAfterMs: 2000 },
  }, transport, systemClock);
  return { client, transport };
}

export function matrixSecrets(emulator: Emulator): SecretStore {
  let pin: string | undefined;
  return {
    credentials: (): Credentials => emulator.credentials,
    baseUrl: () => emulator.baseUrl,
    pinHash: () => pin,
    setPinHash: (hash) => { pin = hash; },
  };
}
