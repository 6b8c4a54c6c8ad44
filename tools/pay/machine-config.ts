// The pay command's machine: one product made from the options, released by the terminal's
// "delivered?" prompt (its Output on pin 1). The controller validates it like any machine's.
import type { PayOptions } from './options';

export const PAY_PRODUCT = 'item';
const PROMPT_PIN = 1;

export function payMachineConfig(options: PayOptions): Record<string, unknown> {
  const product: Record<string, unknown> = {
    id: PAY_PRODUCT,
    names: { en: options.description },
    price: options.amount,
    vatRate: options.taxRate,
    soldOut: false,
    // The pulse is the question on the terminal; its length does not matter.
    output: { pin: PROMPT_PIN, pulseMs: 20, activeLow: false },
  };
  if (options.minimumUserAge !== undefined) product.minimumUserAge = options.minimumUserAge;
  return {
    posId: options.posId,
    languages: ['en'],
    currency: options.currency,
    brand: 'Vipps MobilePay',
    qrTimeLimitSeconds: 600,
    idleTimeoutSeconds: 3600,
    // A tester may take a while to find the phone: only the payment's own expiry ends the wait.
    walkAwayTimeoutSeconds: 600,
    createDeadlineMs: 20_000,
    operatorContact: 'npm run pay',
    catalog: [product],
  };
}
