// The real service's routes: exact paths, the route templates used for counters and faults, and the
// OpenAPI operation that holds each one to the contract.
export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** The name used in counters and fault specs, e.g. 'POST /epayment/v1/payments/{reference}/capture'. */
  template: string;
  operationId: string;
  pattern: RegExp;
}

export interface ApiMatch {
  route: ApiRoute;
  /** Path parameters by name ('reference'), percent-decoded. */
  params: Record<string, string>;
}

function route(method: ApiRoute['method'], template: string, operationId: string): ApiRoute {
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return { method, template: `${method} ${template}`, operationId, pattern: new RegExp(`^${source}/?$`) };
}

export const API_ROUTES: readonly ApiRoute[] = [
  route('POST', '/accesstoken/get', 'fetchAuthorizationTokenUsingPost'),
  route('POST', '/epayment/v1/payments', 'createPayment'),
  route('GET', '/epayment/v1/payments/{reference}', 'getPayment'),
  route('GET', '/epayment/v1/payments/{reference}/events', 'getPaymentEventLog'),
  route('POST', '/epayment/v1/payments/{reference}/capture', 'capturePayment'),
  route('POST', '/epayment/v1/payments/{reference}/cancel', 'cancelPayment'),
  route('POST', '/epayment/v1/payments/{reference}/refund', 'refundPayment'),
  route('POST', '/epayment/v1/test/payments/{reference}/approve', 'forceApprove'),
  // The Webhooks API (its OpenAPI file names no operations; openapi.ts gives them these ids).
  route('POST', '/webhooks/v1/webhooks', 'registerWebhook'),
  route('GET', '/webhooks/v1/webhooks', 'getAllWebhooks'),
  route('DELETE', '/webhooks/v1/webhooks/{id}', 'deleteWebhook'),
];

export const API_ROUTE_TEMPLATES: readonly string[] = API_ROUTES.map((r) => r.template);

/** Paths the emulator answers as the real service would (everything else is the emulator's own). */
export function isApiPath(path: string): boolean {
  return path === '/accesstoken/get' || path.startsWith('/epayment/') || path.startsWith('/webhooks/');
}

export function matchApiRoute(method: string, path: string): ApiMatch | undefined {
  for (const candidate of API_ROUTES) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) {
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        params[name] = value;
      }
    }
    return { route: candidate, params };
  }
  return undefined;
}
