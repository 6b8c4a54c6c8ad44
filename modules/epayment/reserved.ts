// How much money a payment still holds on the customer's account. The state stays AUTHORIZED after
// capture and cancel (and after the service's own cancel at the capture deadline), so the state
// alone never says that money is reserved: the aggregate does.
import type { Aggregate, PaymentState } from 'epayment/types';

/** What reservedAmount and isReserved read: a PaymentStatus fits. */
export interface ReservedView {
  state: PaymentState;
  aggregate: Aggregate;
}

/**
 * Minor units still reserved: authorized - captured - cancelled, never below 0. A refund does not
 * add back: refunded money was captured first and comes back to the customer, not to the reservation.
 */
export function reservedAmount(status: Pick<ReservedView, 'aggregate'>): number {
  const { authorizedAmount, capturedAmount, cancelledAmount } = status.aggregate;
  const left = authorizedAmount.value - capturedAmount.value - cancelledAmount.value;
  return left > 0 ? left : 0;
}

/** True when the customer has authorized and some of that money is still reserved (capturable). */
export function isReserved(status: ReservedView): boolean {
  return status.state === 'AUTHORIZED' && reservedAmount(status) > 0;
}
