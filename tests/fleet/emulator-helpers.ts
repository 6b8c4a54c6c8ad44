// The fleet against the emulator: the merchant's keys pointing at it (with its root CA), and
// payments made the way a machine makes them.
import { randomBytes } from 'node:crypto';
import type { Emulator } from '../../tools/emulator/index';
import { emulatorVippsKeys } from '../../fleet/local-fleet';
import type { VippsClient, VippsKeys } from '../../fleet/vipps/client';

/** Over HTTPS, trusting the emulator's root. */
export const keysOf = (emulator: Emulator): VippsKeys => emulatorVippsKeys(emulator, 'https');

const key = (): string => randomBytes(12).toString('hex');

export async function createPayment(vipps: VippsClient, reference: string, value = 2500): Promise<void> {
  const answer = await vipps.call('POST', '/epayment/v1/payments', {
    headers: { 'Idempotency-Key': key() },
    body: {
      amount: { currency: 'NOK', value }, paymentMethod: { type: 'WALLET' }, reference, userFlow: 'QR',
      qrFormat: { format: 'TEXT/TARGETURL' }, customerInteraction: 'CUSTOMER_PRESENT', paymentDescription: 'Cola 0.5 l',
    },
  });
  if (answer.status !== 201) throw new Error(`create ${reference}: HTTP ${answer.status} ${answer.text}`);
}

/** Created, approved by the customer, captured in full: a sale as a machine leaves it. */
export async function capturedPayment(vipps: VippsClient, emulator: Emulator, reference: string, value = 2500): Promise<void> {
  await createPayment(vipps, reference, value);
  emulator.approve(reference);
  const answer = await vipps.call('POST', `/epayment/v1/payments/${reference}/capture`, {
    headers: { 'Idempotency-Key': key() },
    body: { modificationAmount: { currency: 'NOK', value } },
  });
  if (answer.status !== 200) throw new Error(`capture ${reference}: HTTP ${answer.status} ${answer.text}`);
}
