// ePayment figures: what one sale costs on the wire, from the emulator's counters, over HTTP and
// over HTTPS, and the time from sending "create" to a QR matrix ready to draw (create + encode),
// on Node. A sale here: create, the customer approves at once, one status read, capture.
import { performance } from 'node:perf_hooks';
import { EpaymentClient } from 'epayment/client';
import { pollUntilFinal } from 'epayment/poll';
import { encode } from 'qr/encode';
import { NodeHttpTransport } from '../../hosts/node/http-transport';
import { systemClock } from '../../hosts/node/system-clock';
import { startEmulator, type Emulator } from '../emulator/index';

const SALES = 20;

export interface EpaymentSchemeBench {
  /** The first sale of a fresh client: token, create, status read, capture, on a new connection. */
  cold: { requests: number; connections: number; tlsHandshakes: number };
  /** Each of the following sales, token cached, connection kept alive. */
  warm: { requestsPerSale: number; connectionsPerSale: number; tlsHandshakesPerSale: number };
  /** From sending create to an encoded QR matrix, over the warm sales. */
  createToQrMs: { median: number; p90: number; max: number };
}

export interface EpaymentBench {
  sales: number;
  http: EpaymentSchemeBench;
  https: EpaymentSchemeBench;
  /** HTTPS with a transport that closes after every request (what Moddable's legacy http client does). */
  httpsNoKeepAlive: EpaymentSchemeBench;
}

type Variant = 'http' | 'https' | 'httpsNoKeepAlive';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

async function sale(client: EpaymentClient, emulator: Emulator, reference: string): Promise<number> {
  const started = performance.now();
  const created = await client.createPayment({ reference, amount: { currency: 'NOK', value: 2500 }, description: 'Ear buds', receipt: { orderLines: [{ id: 'slot-1', name: 'Ear buds', totalAmount: 2500, taxRate: 2500, quantity: 1 }], posId: 'bench' } });
  encode(created.redirectUrl);
  const createToQr = performance.now() - started;
  emulator.approve(reference);
  await pollUntilFinal(client, reference, { clock: systemClock, firstDelayMs: 0 }).result;
  await client.capture(reference, { currency: 'NOK', value: 2500 });
  return createToQr;
}

function counted(emulator: Emulator): { requests: number; connections: number; tlsHandshakes: number } {
  const counters = emulator.counters();
  return { requests: Object.values(counters.requests).reduce((a, b) => a + b, 0), connections: counters.connections, tlsHandshakes: counters.tlsHandshakes };
}

async function benchScheme(emulator: Emulator, variant: Variant, run: string): Promise<EpaymentSchemeBench> {
  const https = variant !== 'http';
  const transport = new NodeHttpTransport({ keepAlive: variant !== 'httpsNoKeepAlive', ...(https ? { ca: emulator.rootCertificatePem } : {}) });
  const client = new EpaymentClient({ baseUrl: (https ? emulator.httpsBaseUrl : emulator.baseUrl)!, credentials: emulator.credentials }, transport, systemClock);
  try {
    emulator.resetCounters();
    await sale(client, emulator, `bench-${run}-cold`);
    const cold = counted(emulator);
    emulator.resetCounters();
    const times: number[] = [];
    for (let i = 0; i < SALES; i++) times.push(await sale(client, emulator, `bench-${run}-${i}`));
    const warm = counted(emulator);
    times.sort((a, b) => a - b);
    return {
      cold,
      warm: { requestsPerSale: round(warm.requests / SALES), connectionsPerSale: round(warm.connections / SALES), tlsHandshakesPerSale: round(warm.tlsHandshakes / SALES) },
      createToQrMs: { median: round(percentile(times, 0.5)), p90: round(percentile(times, 0.9)), max: round(times[times.length - 1]) },
    };
  } finally {
    transport.close();
  }
}

export async function benchEpayment(): Promise<EpaymentBench> {
  const emulator = await startEmulator({ httpsPort: 0, rateLimits: false });
  const run = Date.now().toString(36);
  try {
    return {
      sales: SALES,
      http: await benchScheme(emulator, 'http', `${run}-h`),
      https: await benchScheme(emulator, 'https', `${run}-s`),
      httpsNoKeepAlive: await benchScheme(emulator, 'httpsNoKeepAlive', `${run}-n`),
    };
  } finally {
    await emulator.close();
  }
}

export function printEpaymentTable(bench: EpaymentBench): void {
  console.log(`ePayment (emulator on loopback; a sale = create, approve, one status read, capture; warm = mean of ${bench.sales} sales on one client)`);
  console.table(Object.fromEntries((['http', 'https', 'httpsNoKeepAlive'] as const).map((scheme) => {
    const b = bench[scheme];
    return [scheme, {
      'cold requests': b.cold.requests,
      'cold connections': b.cold.connections,
      'cold TLS handshakes': b.cold.tlsHandshakes,
      'requests/sale': b.warm.requestsPerSale,
      'connections/sale': b.warm.connectionsPerSale,
      'TLS handshakes/sale': b.warm.tlsHandshakesPerSale,
      'create->QR median ms': b.createToQrMs.median,
      'create->QR p90 ms': b.createToQrMs.p90,
    }];
  })));
}
