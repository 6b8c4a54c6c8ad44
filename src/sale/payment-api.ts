// What the sale needs from the ePayment client (EpaymentClient has exactly this shape), so tests
// and the fault matrix can wrap it.
import type { Amount, CallOptions, CancelOptions, CreatedPayment, CreatePaymentInput, PaymentStatus } from 'epayment/types';

export interface PaymentApi {
  readonly baseUrl: string;
  warmUp(options?: CallOptions): Promise<void>;
  tokenFreshForMs(): number;
  createPayment(input: CreatePaymentInput, options?: CallOptions): Promise<CreatedPayment>;
  getPayment(reference: string, options?: CallOptions): Promise<PaymentStatus>;
  capture(reference: string, amount: Amount, options?: CallOptions): Promise<PaymentStatus>;
  cancel(reference: string, cancelOptions?: CancelOptions, options?: CallOptions): Promise<PaymentStatus>;
  refund(reference: string, amount: Amount, options?: CallOptions): Promise<PaymentStatus>;
}
