import type { Credentials } from 'epayment/config';

/**
 * Where credentials, the base URL and the service PIN live: never in the machine configuration,
 * never in a log. Preference on the device (provisioned over the serial console), environment
 * variables and a state file on the desktop.
 */
export interface SecretStore {
  /** The API credentials, or undefined when not provisioned. */
  credentials(): Credentials | undefined;
  /** https://api.vipps.no, https://apitest.vipps.no, or the emulator. */
  baseUrl(): string | undefined;
  /** The service PIN as `salt:sha256hex(salt + pin)`, or undefined when none is set. */
  pinHash(): string | undefined;
  setPinHash(hash: string): void;
}
