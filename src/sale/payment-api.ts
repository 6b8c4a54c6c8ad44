// What the sale needs from the ePayment client (EpaymentClient has exactly this shape), so tests
// and the fault matrix can wrap it.
import type { Amount, CallOptions, CancelOptions, CreatedPayment, CreatePaymentInput, PaymentEvent, PaymentStatus } from 'epayment/types';

export interface PaymentApi {
  readonly baseUrl: string;
  warmUp(options?: CallOptions): Promise<void>;
  tokenFreshForMs(): number;
  /** How long a create call (with this deadline) may keep a create on the wire. */
  createWindowMs(deadlineMs?: number): number;
  createPayment(input: CreatePaymentInput, options?: CallOptions): Promise<CreatedPayment>;
  getPayment(reference: string, options?: CallOptions): Promise<PaymentStatus>;
  getEvents(reference: string, options?: CallOptions): Promise<PaymentEvent[]>;
  capture(reference: string, amount: Amount, options?: CallOptions): Promise<PaymentStatus>;
  cancel(reference: string, cancelOptions?: CancelOptions, options?: CallOptions): Promise<PaymentStatus>;
  refund(reference: string, amount: Amount, options?: CallOptions): Promise<PaymentStatus>;
}
