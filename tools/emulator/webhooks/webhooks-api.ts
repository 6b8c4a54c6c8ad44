// The Webhooks API's three operations, after the gates the ePayment API shares (subscription key,
// token, contract, MSN): register, list and delete, per Merchant-Serial-Number.
import type { ApiRequest } from '../api';
import { empty, json, problem, type Reply } from '../replies';
import { RegistrationError, type WebhookRegistry } from './registrations';

export const WEBHOOK_OPERATIONS: ReadonlySet<string> = new Set(['registerWebhook', 'getAllWebhooks', 'deleteWebhook']);

export class WebhooksApi {
  constructor(
    private readonly registry: WebhookRegistry,
    private readonly now: () => number,
    /** Told of a deleted registration, so that nothing more is sent to it. */
    private readonly deleted: (id: string) => void,
  ) {}

  handle(request: ApiRequest, msn: string): Reply {
    // The service shows paths without the API's prefix ("/v1/webhooks") as `instance`.
    const instance = request.path.replace(/^\/webhooks/, '');
    switch (request.match.route.operationId) {
      case 'registerWebhook': {
        const body = request.body as { url: string; events: string[] };
        try {
          const registration = this.registry.register(msn, body.url, body.events, this.now());
          return json(201, { id: registration.id, secret: registration.secret });
        } catch (error) {
          if (!(error instanceof RegistrationError)) throw error;
          return problem(400, 'Bad Request', 'One or more validation errors occurred.', { issues: [{ name: error.field, reason: error.message }], instance });
        }
      }
      case 'getAllWebhooks':
        return json(200, { webhooks: this.registry.list(msn).map(({ id, url, events }) => ({ id, url, events })) });
      case 'deleteWebhook': {
        const id = request.match.params.id!;
        if (!this.registry.delete(msn, id)) return problem(404, 'Not Found', `There is no webhook ${id} for this merchant serial number.`, { instance });
        this.deleted(id);
        return empty(204);
      }
      default:
        throw new Error(`no webhooks operation ${request.match.route.operationId}`);
    }
  }
}
