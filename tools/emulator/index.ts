// The ePayment emulator: a local stand-in for the Vipps MobilePay ePayment and access-token APIs,
// over real HTTP and HTTPS sockets, held to the vendored OpenAPI files, with an admin API to act as
// the customer, move the clock and inject faults. See README.md beside this file.
export { DEFAULT_CREDENTIALS, credentialsFromEnv } from './credentials';
export { DEFAULT_CERT_DIR, startEmulator } from './emulator';
export { API_ROUTE_TEMPLATES } from './api-routes';
export { CAPTURE_GUARANTEE_MS, captureDeadlineMs } from './payments';
export type {
  Counters,
  Credentials,
  Emulator,
  EmulatorOptions,
  FaultKind,
  FaultSpec,
  PaymentRecord,
  PaymentState,
  RateLimits,
  RecordedRequest,
  ArmedWebhookFault,
  WebhookAttempt,
  WebhookDeliveryOptions,
  WebhookFaultKind,
  WebhookFaultSpec,
  WebhookRegistration,
} from './types';
export { WEBHOOK_EVENTS } from './webhooks/events';
