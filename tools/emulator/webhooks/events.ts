// The ePayment events of the Webhooks API: the name a registration asks for, and the event-log name
// (PaymentEventRecord.name) it stands for.
import type { EventName } from '../types';

export const WEBHOOK_EVENT_BY_LOG_NAME: Readonly<Record<EventName, string>> = {
  CREATED: 'epayments.payment.created.v1',
  AUTHORIZED: 'epayments.payment.authorized.v1',
  ABORTED: 'epayments.payment.aborted.v1',
  EXPIRED: 'epayments.payment.expired.v1',
  CANCELLED: 'epayments.payment.cancelled.v1',
  CAPTURED: 'epayments.payment.captured.v1',
  REFUNDED: 'epayments.payment.refunded.v1',
  TERMINATED: 'epayments.payment.terminated.v1',
};

export const WEBHOOK_EVENTS: readonly string[] = Object.values(WEBHOOK_EVENT_BY_LOG_NAME);

export function isWebhookEvent(name: string): boolean {
  return WEBHOOK_EVENTS.includes(name);
}
