// The emulator's admin API over HTTP (tools/emulator/README.md): the soak's customer and its
// source of truth about the money.
import type { FaultSpec, PaymentRecord } from '../emulator/index';

export class EmulatorAdmin {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; value: T }> {
    const response = await fetch(`${this.baseUrl}/emulator${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: response.status, value: (await response.json()) as T };
  }

  /** The customer approves in the app; false when the payment can no longer be approved. */
  async approve(reference: string): Promise<boolean> {
    return (await this.call('POST', `/payments/${encodeURIComponent(reference)}/approve`)).status === 200;
  }

  async reject(reference: string): Promise<boolean> {
    return (await this.call('POST', `/payments/${encodeURIComponent(reference)}/reject`)).status === 200;
  }

  async payments(): Promise<PaymentRecord[]> {
    return (await this.call<PaymentRecord[]>('GET', '/payments')).value;
  }

  async injectFault(fault: FaultSpec): Promise<void> {
    const { status, value } = await this.call('POST', '/faults', fault);
    if (status !== 201) throw new Error(`fault refused: ${JSON.stringify(value)}`);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }
}
