// The route the service calls with each event: no session and no CSRF token (it is not a browser),
// its own authentication instead. Stored before the answer (so a 2xx means we have it, and a
// crash before it makes the service retry); relayed after the answer, so the service never waits
// on a machine.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Publisher } from '../config-versions';
import type { Database } from '../database';
import { BodyTooLarge, readBody, sendText } from '../http/respond';
import { authenticateDelivery } from './authentication';
import { parseEvent, storeEvent, type PaymentEvent } from './events';
import { relayEvent, type RelayOutcome } from './relay';

export const WEBHOOK_PATH = '/webhooks/vipps';
/** An event is a few hundred bytes; anything near this is not one. */
export const MAX_DELIVERY_BYTES = 16 * 1024;

export interface ReceiverOptions {
  db: Database;
  publisher: Publisher;
  /** The host of the URL we registered (Host is signed, but we also refuse another one); read per delivery. */
  expectedHost?: () => string | undefined;
  log: (line: string) => void;
  now?: () => number;
  /** Called after each new event's relay (tests wait on it). */
  onRelayed?: (event: PaymentEvent, outcome: RelayOutcome) => void;
}

export type WebhookReceiver = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export function webhookReceiver(options: ReceiverOptions): WebhookReceiver {
  const { db, log } = options;
  const now = options.now ?? Date.now;
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fleet.invalid');
    let body: Buffer;
    try {
      body = await readBody(request, MAX_DELIVERY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      log(`webhooks: refused a delivery over ${MAX_DELIVERY_BYTES} bytes`);
      sendText(response, 413, 'Too large');
      request.destroy();
      return;
    }
    const secrets = (await db.query<{ secret: string }>('SELECT secret FROM webhook_registrations')).map((row) => row.secret);
    const authenticated = authenticateDelivery(
      { method: request.method ?? '', pathAndQuery: url.pathname + url.search, headers: request.headers, body },
      secrets, now(), options.expectedHost?.(),
    );
    if (!authenticated.ok) {
      log(`webhooks: refused a delivery from ${request.socket.remoteAddress ?? '?'}: ${authenticated.reason}`);
      return sendText(response, 401, 'Unauthorized');
    }
    const parsed = parseEvent(body);
    if (!parsed.ok) {
      log(`webhooks: refused a signed delivery: ${parsed.reason}`);
      return sendText(response, 400, 'Bad request');
    }
    const id = await storeEvent(db, parsed.event, authenticated.contentHash);
    sendText(response, 200, id === undefined ? 'Already had it' : 'Stored');
    if (id === undefined) return;
    relayEvent(db, options.publisher, id, parsed.event, log).then(
      (outcome) => options.onRelayed?.(parsed.event, outcome),
      (error: unknown) => log(`webhooks: relay of event ${id} failed: ${(error as Error).message}`),
    );
  };
}
