// The admin API's webhook part, under /emulator/webhooks: registrations, delivery attempts and
// webhook faults (plain JSON, in admin.ts's style).
import { AdminError, jsonReply, type RawReply } from '../admin';
import type { Emulator, WebhookFaultSpec } from '../types';
import { WebhookFaultError } from './faults';

/** The answer for a path under /emulator/webhooks, or undefined when it is none of these. */
export function handleWebhookAdmin(target: Emulator, method: string, path: string, rawBody: string): RawReply | undefined {
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /emulator/webhooks':
      return jsonReply(200, target.webhooks());
    case 'GET /emulator/webhooks/deliveries':
      return jsonReply(200, target.webhookDeliveries());
    case 'GET /emulator/webhooks/faults':
      return jsonReply(200, target.webhookFaults());
    case 'POST /emulator/webhooks/faults': {
      const body = parseJson(rawBody);
      const specs = (Array.isArray(body) ? body : [body]) as WebhookFaultSpec[];
      try {
        for (const spec of specs) target.injectWebhookFault(fromJsonFault(spec));
      } catch (error) {
        if (error instanceof WebhookFaultError) throw new AdminError(400, error.message);
        throw error;
      }
      return jsonReply(201, target.webhookFaults());
    }
    case 'DELETE /emulator/webhooks/faults':
      target.clearWebhookFaults();
      return jsonReply(200, []);
    default:
      return undefined;
  }
}

/** JSON has no Infinity: `"times": "Infinity"` (or null) means every matching one. */
function fromJsonFault(spec: WebhookFaultSpec): WebhookFaultSpec {
  if (typeof spec !== 'object' || spec === null) throw new AdminError(400, 'a webhook fault is a JSON object');
  const times = spec.times as unknown;
  return { ...spec, ...(times === 'Infinity' || times === null ? { times: Infinity } : {}) };
}

function parseJson(rawBody: string): unknown {
  try {
    return JSON.parse(rawBody || '{}') as unknown;
  } catch {
    throw new AdminError(400, 'the body must be JSON');
  }
}
