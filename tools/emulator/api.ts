// The ePayment and access-token API as the real service answers it. A request passes the same gates,
// in the same order, as at the real gateway: subscription key and access token (401), the contract
// (400), the sales unit (403), rate limits (429), idempotency (replay or 409), then the operation.
import type { ApiMatch } from './api-routes';
import type { IdempotencyStore } from './idempotency';
import type { ValidationIssue } from './openapi';
import { eventsView, getPaymentView, modificationView } from './payment-views';
import { PaymentError, type CreateRequest, type PaymentBook } from './payments';
import type { RateLimiter } from './rate-limits';
import { empty, json, problem, type Reply } from './replies';
import type { TokenCheck, TokenIssuer } from './tokens';
import { WEBHOOK_OPERATIONS, type WebhooksApi } from './webhooks/webhooks-api';
import type { Amount, Credentials, RateLimits } from './types';

export interface ApiRequest {
  match: ApiMatch;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body (undefined when none). */
  body: unknown;
  /** What the contract check found wrong with the request. */
  issues: ValidationIssue[];
  /** scheme://host the client used, for the URLs handed back. */
  origin: string;
  path: string;
}

export interface ApiDependencies {
  credentials: Credentials;
  tokens: TokenIssuer;
  payments: PaymentBook;
  idempotency: IdempotencyStore;
  rateLimiter: RateLimiter;
  rateLimits: RateLimits | false;
  webhooks: WebhooksApi;
}

/** The operations that change a payment, and the ErrorCode of an idempotency conflict for each. */
const MODIFYING: Record<string, string> = { createPayment: '4020', capturePayment: '4010', refundPayment: '4150', cancelPayment: '4020' };
const READING = new Set(['getPayment', 'getPaymentEventLog']);

const MODIFICATION_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

const TOKEN_PROBLEMS: Record<Exclude<TokenCheck, 'valid'>, string> = {
  missing: 'The Authorization header is missing. Send Authorization: Bearer <access token>.',
  malformed: 'The Authorization header must be "Bearer <access token>".',
  unknown: 'The access token is not valid.',
  expired: 'The access token has expired. Fetch a new one from POST /accesstoken/get.',
};

export class EpaymentApi {
  constructor(private readonly deps: ApiDependencies) {}

  handle(request: ApiRequest): Reply {
    // The service shows paths without the API's own prefix ("/v1/payments/…/capture") as `instance`.
    const instance = request.path.replace(/^\/(epayment|webhooks)/, '');
    try {
      return this.gatedOperation(request, instance);
    } catch (error) {
      if (error instanceof PaymentError) return problem(error.status, error.title, error.message, { code: error.code, instance });
      throw error;
    }
  }

  private gatedOperation(request: ApiRequest, instance: string): Reply {
    const { credentials } = this.deps;
    const { headers } = request;
    const operationId = request.match.route.operationId;

    const subscriptionKey = headers['ocp-apim-subscription-key'];
    if (!subscriptionKey) return problem(401, 'Unauthorized', 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.', { instance });
    if (subscriptionKey !== credentials.subscriptionKey) return problem(401, 'Unauthorized', 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.', { instance });

    if (operationId === 'fetchAuthorizationTokenUsingPost') return this.issueToken(request, instance);

    const check = this.deps.tokens.check(headers.authorization);
    if (check !== 'valid') return problem(401, 'Unauthorized', TOKEN_PROBLEMS[check], { instance });

    if (request.issues.length > 0) return problem(400, 'Bad Request', 'One or more validation errors occurred.', { issues: request.issues, instance });

    if (headers['merchant-serial-number'] !== credentials.merchantSerialNumber) {
      return problem(403, 'Forbidden', `The Merchant-Serial-Number ${headers['merchant-serial-number']} is not a sales unit of these API keys.`, { instance });
    }

    if (WEBHOOK_OPERATIONS.has(operationId)) return this.deps.webhooks.handle(request, credentials.merchantSerialNumber);

    const reference = operationId === 'createPayment' ? (request.body as CreateRequest).reference : request.match.params.reference!;
    const limited = this.rateLimit(operationId, reference);
    if (limited) return limited;

    const conflictCode = MODIFYING[operationId];
    const idempotencyKey = headers['idempotency-key'] || undefined;
    if (conflictCode === undefined || idempotencyKey === undefined) return this.operate(request, reference, idempotencyKey);

    // Create is keyed by the key alone (a new reference under an old key is a conflict); the
    // modifications by reference and key.
    const scope = operationId === 'createPayment' ? operationId : `${operationId} ${reference}`;
    const seen = this.deps.idempotency.lookup(scope, idempotencyKey, request.body);
    if (seen.kind === 'replay') return seen.reply;
    if (seen.kind === 'conflict') {
      return problem(409, 'Idempotency conflict', `Idempotency-Key ${idempotencyKey} was already used with another request body. An idempotent retry must repeat the body exactly.`, { code: conflictCode, instance });
    }
    const reply = this.operate(request, reference, idempotencyKey);
    this.deps.idempotency.remember(scope, idempotencyKey, request.body, reply);
    return reply;
  }

  private issueToken(request: ApiRequest, instance: string): Reply {
    const { credentials } = this.deps;
    const { headers } = request;
    const msn = headers['merchant-serial-number'] || undefined;
    if (headers.client_id !== credentials.clientId || headers.client_secret !== credentials.clientSecret || (msn !== undefined && msn !== credentials.merchantSerialNumber)) {
      return problem(401, 'Unauthorized', 'The client_id, client_secret or Merchant-Serial-Number is not valid for this subscription key.', { instance });
    }
    if (request.issues.length > 0) return problem(400, 'Bad Request', 'One or more validation errors occurred.', { issues: request.issues, instance });
    return json(200, this.deps.tokens.issue(msn));
  }

  private rateLimit(operationId: string, reference: string): Reply | undefined {
    const limits = this.deps.rateLimits;
    if (!limits) return undefined;
    const limit = MODIFYING[operationId] !== undefined ? limits.modificationsPerMinute : READING.has(operationId) ? limits.getsPerMinute : undefined;
    if (limit === undefined) return undefined;
    const decision = this.deps.rateLimiter.take(`${operationId} ${reference}`, limit);
    if (decision.allowed) return undefined;
    return problem(429, 'Too Many Requests', `Rate limit exceeded: at most ${limit} calls a minute for reference ${reference}. Try again in ${decision.retryAfterSeconds} seconds.`, {
      headers: { 'retry-after': String(decision.retryAfterSeconds) },
    });
  }

  private operate(request: ApiRequest, reference: string, idempotencyKey: string | undefined): Reply {
    const { payments } = this.deps;
    const body = request.body as Record<string, unknown> | undefined;
    switch (request.match.route.operationId) {
      case 'createPayment': {
        const record = payments.create(body as unknown as CreateRequest, idempotencyKey, request.origin);
        return json(201, { reference: record.reference, ...(record.redirectUrl ? { redirectUrl: record.redirectUrl } : {}) });
      }
      case 'getPayment':
        return json(200, getPaymentView(payments.get(reference)));
      case 'getPaymentEventLog':
        return json(200, eventsView(payments.get(reference)));
      // The spec declares the modification answers (200) as application/problem+json; the emulator
      // sends exactly that, so that clients which branch on the Content-Type find out here.
      case 'capturePayment':
        return json(200, modificationView(payments.capture(reference, body!.modificationAmount as Amount, idempotencyKey)), MODIFICATION_CONTENT_TYPE);
      case 'refundPayment':
        return json(200, modificationView(payments.refund(reference, body!.modificationAmount as Amount, idempotencyKey)), MODIFICATION_CONTENT_TYPE);
      case 'cancelPayment':
        return json(200, modificationView(payments.cancel(reference, body?.cancelTransactionOnly === true, idempotencyKey)), MODIFICATION_CONTENT_TYPE);
      case 'forceApprove': {
        const token = body?.token;
        if (typeof token === 'string' && token !== '' && token !== payments.get(reference).token) {
          throw new PaymentError(400, '10010', 'Approve failed', 'Force approve payment failed. Reason: the token is not the one in this payment\'s redirectUrl.');
        }
        payments.approve(reference);
        return empty(200);
      }
      default:
        throw new Error(`no handler for ${request.match.route.operationId}`);
    }
  }
}
