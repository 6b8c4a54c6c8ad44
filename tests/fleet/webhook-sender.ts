// The service's side of a delivery, as the Webhooks API documents it, for tests that run before
// (or beside) the emulator's own deliveries: node:http, so Host can be set as the service sets it.
import { request } from 'node:http';
import { signedDeliveryHeaders } from '../../fleet/webhooks/authentication';

export interface DeliveryOptions {
  /** Sign for this URL (default: the one delivered to). */
  signedFor?: string;
  date?: Date;
  /** Sent instead of the signed body (a body changed after signing). */
  sentBody?: string;
  /** Headers to drop or replace after signing. */
  drop?: string[];
  headers?: Record<string, string>;
}

export function deliver(url: string, secret: string, body: string, options: DeliveryOptions = {}): Promise<{ status: number; text: string }> {
  const signedFor = options.signedFor ?? url;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    host: new URL(signedFor).host,
    ...signedDeliveryHeaders(secret, signedFor, body, options.date),
    ...options.headers,
  };
  for (const name of options.drop ?? []) delete headers[name];
  const sent = Buffer.from(options.sentBody ?? body);
  headers['content-length'] = String(sent.length);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(sent);
  });
}

/** Retries with a short backoff on any non-2xx or no answer, as the service does (for days, there). */
export async function deliverUntilAccepted(url: () => string, secret: string, body: string, timeoutMs = 20_000): Promise<{ attempts: number }> {
  const deadline = Date.now() + timeoutMs;
  for (let attempts = 1, waitMs = 50; ; attempts++, waitMs = Math.min(waitMs * 2, 1000)) {
    const status = await deliver(url(), secret, body).then((answer) => answer.status, () => 0);
    if (status >= 200 && status < 300) return { attempts };
    if (Date.now() > deadline) throw new Error(`not accepted within ${timeoutMs} ms (last status ${status})`);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

let psp = 1000;
export function paymentEvent(reference: string, name = 'AUTHORIZED', fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    msn: '123456', reference, pspReference: String(psp++), name, amount: { currency: 'NOK', value: 2500 },
    timestamp: new Date().toISOString(), idempotencyKey: null, success: true, ...fields,
  };
}
