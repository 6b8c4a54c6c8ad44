// The client as the pay command hands it to the controller: every answer about a payment is
// remembered, so the terminal can say what the service last reported (never a guess), and the
// status line can count reads.
import type { Amount, CallOptions, CancelOptions, CreatePaymentInput, PaymentEvent, PaymentStatus } from 'epayment/types';
import type { PaymentApi } from 'app/sale/payment-api';

export interface LastWord {
  status: PaymentStatus;
  /** Epoch ms of the answer. */
  at: number;
}

export class WatchedApi implements PaymentApi {
  readonly last = new Map<string, LastWord>();
  reads = 0;
  /** Called after each status answer. */
  onStatus: (reference: string, status: PaymentStatus) => void = () => {};

  constructor(private readonly inner: PaymentApi) {}

  get baseUrl(): string {
    return this.inner.baseUrl;
  }

  warmUp(options?: CallOptions): Promise<void> {
    return this.inner.warmUp(options);
  }

  tokenFreshForMs(): number {
    return this.inner.tokenFreshForMs();
  }

  createWindowMs(deadlineMs?: number): number {
    return this.inner.createWindowMs(deadlineMs);
  }

  createPayment(input: CreatePaymentInput, options?: CallOptions) {
    return this.inner.createPayment(input, options);
  }

  async getPayment(reference: string, options?: CallOptions): Promise<PaymentStatus> {
    this.reads++;
    return this.heard(reference, await this.inner.getPayment(reference, options));
  }

  getEvents(reference: string, options?: CallOptions): Promise<PaymentEvent[]> {
    return this.inner.getEvents(reference, options);
  }

  async capture(reference: string, amount: Amount, options?: CallOptions): Promise<PaymentStatus> {
    return this.heard(reference, await this.inner.capture(reference, amount, options));
  }

  async cancel(reference: string, cancelOptions?: CancelOptions, options?: CallOptions): Promise<PaymentStatus> {
    return this.heard(reference, await this.inner.cancel(reference, cancelOptions, options));
  }

  async refund(reference: string, amount: Amount, options?: CallOptions): Promise<PaymentStatus> {
    return this.heard(reference, await this.inner.refund(reference, amount, options));
  }

  private heard(reference: string, status: PaymentStatus): PaymentStatus {
    this.last.set(reference, { status, at: Date.now() });
    this.onStatus(reference, status);
    return status;
  }
}
