// The service's JSON answers for a payment, built from the emulator's record: GetPaymentResponse,
// the event log (PaymentEvent[]) and ModificationResponse, as the spec names them.
import { captureGuaranteedUntil, type CreateRequest } from './payments';
import type { PaymentRecord } from './types';

export function getPaymentView(record: PaymentRecord): Record<string, unknown> {
  const request = record.request as CreateRequest;
  const guaranteedUntil = captureGuaranteedUntil(record);
  return {
    aggregate: structuredClone(record.aggregate),
    amount: { ...record.amount },
    state: record.state,
    paymentMethod: { type: request.paymentMethod.type },
    // `profile.sub` appears once authorized, and only when profile.scope was asked for.
    profile: record.profileSub ? { sub: record.profileSub } : {},
    pspReference: record.events[0]!.pspReference,
    ...(request.userFlow !== 'PUSH_MESSAGE' ? { redirectUrl: record.targetUrl } : {}),
    reference: record.reference,
    ...(request.metadata ? { metadata: { ...request.metadata } } : {}),
    // Since August 2026, newer than the vendored spec (openapi.ts declares it): authorized payments only.
    ...(guaranteedUntil ? { captureGuaranteedUntil: guaranteedUntil } : {}),
  };
}

export function eventsView(record: PaymentRecord): Array<Record<string, unknown>> {
  return record.events.map((event) => ({
    reference: record.reference,
    pspReference: event.pspReference,
    name: event.name,
    amount: { ...event.amount },
    timestamp: event.timestamp,
    idempotencyKey: event.idempotencyKey ?? null,
    success: event.success,
  }));
}

export function modificationView(record: PaymentRecord): Record<string, unknown> {
  return {
    amount: { ...record.amount },
    state: record.state,
    aggregate: structuredClone(record.aggregate),
    // The spec: the adjustment answer "contains the pspReference for the payment creation event".
    pspReference: record.events[0]!.pspReference,
    reference: record.reference,
  };
}
