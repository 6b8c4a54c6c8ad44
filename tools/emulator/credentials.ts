// The credentials the emulator accepts. The environment names are the ones the machine reads, so one
// shell with EPAYMENT_* set drives both sides with the same values.
import type { Credentials } from './types';

export const DEFAULT_CREDENTIALS: Credentials = Object.freeze({
  clientId: 'emulator-client-id',
  clientSecret: 'emulator-client-secret',
  subscriptionKey: 'emulator-subscription-key',
  merchantSerialNumber: '123456',
});

export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials {
  // An empty variable counts as unset: `EPAYMENT_MSN= npm run emulator` keeps the default.
  const pick = (name: string, fallback: string): string => {
    const value = env[name];
    return value !== undefined && value !== '' ? value : fallback;
  };
  return {
    clientId: pick('EPAYMENT_CLIENT_ID', DEFAULT_CREDENTIALS.clientId),
    clientSecret: pick('EPAYMENT_CLIENT_SECRET', DEFAULT_CREDENTIALS.clientSecret),
    subscriptionKey: pick('EPAYMENT_SUBSCRIPTION_KEY', DEFAULT_CREDENTIALS.subscriptionKey),
    merchantSerialNumber: pick('EPAYMENT_MSN', DEFAULT_CREDENTIALS.merchantSerialNumber),
  };
}
