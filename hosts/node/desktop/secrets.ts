// The SecretStore on the desktop: credentials and base URL from the EPAYMENT_* environment
// variables (the names the emulator and the pay command read), the service PIN's salted hash in a
// file under the state folder. Nothing here is ever logged or sent to the page.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Credentials } from 'epayment/config';
import type { SecretStore } from 'ports/secrets';
import type { KeyValueStore } from 'ports/store';
import { checkPin, hashPin, MIN_PIN_DIGITS } from 'app/sale/service-mode';
import { DEFAULT_CREDENTIALS } from '../../../tools/emulator/credentials';

/** The desktop's service PIN unless DESKTOP_SERVICE_PIN sets another (never a device's). */
export const DEFAULT_DESKTOP_PIN = '123456';
export const PIN_ENV = 'DESKTOP_SERVICE_PIN';
const PIN_KEY = 'pinHash';

const ENV_NAMES: Record<keyof Credentials, string> = {
  clientId: 'EPAYMENT_CLIENT_ID',
  clientSecret: 'EPAYMENT_CLIENT_SECRET',
  subscriptionKey: 'EPAYMENT_SUBSCRIPTION_KEY',
  merchantSerialNumber: 'EPAYMENT_MSN',
};

/**
 * The credentials the machine runs with: from the environment; against the built-in emulator unset
 * ones take the emulator's defaults (it accepts what it was started with: the same variables).
 * Elsewhere every one is required; undefined puts the machine out of service ('credentials').
 */
export function credentialsFrom(env: NodeJS.ProcessEnv, builtInEmulator: boolean): Credentials | undefined {
  const credentials: Credentials = { ...DEFAULT_CREDENTIALS };
  for (const field of Object.keys(ENV_NAMES) as (keyof Credentials)[]) {
    const value = env[ENV_NAMES[field]];
    if (value !== undefined && value !== '') credentials[field] = value;
    else if (!builtInEmulator) return undefined;
  }
  return credentials;
}

/** The names of the variables a non-emulator base URL still needs (for the start-up message). */
export function missingCredentials(env: NodeJS.ProcessEnv): string[] {
  return Object.values(ENV_NAMES).filter((name) => !env[name]);
}

/** The extra root certificate (PEM) from EPAYMENT_CA_FILE, if set. */
export function caFrom(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.EPAYMENT_CA_FILE;
  return file ? readFileSync(file, 'utf8') : undefined;
}

export function validPin(pin: string): boolean {
  return new RegExp(`^[0-9]{${MIN_PIN_DIGITS},12}$`).test(pin);
}

export class DesktopSecrets implements SecretStore {
  readonly #credentials: Credentials | undefined;
  readonly #baseUrl: string;
  #pinHash: string;

  /** `pins` keeps the PIN's hash (a FileStore of its own, beside the journal's). */
  constructor(private readonly pins: KeyValueStore, baseUrl: string, credentials: Credentials | undefined, pinFromEnv: string | undefined) {
    this.#credentials = credentials;
    this.#baseUrl = baseUrl;
    const stored = pins.get(PIN_KEY);
    if (pinFromEnv !== undefined && pinFromEnv !== '') {
      if (!validPin(pinFromEnv)) throw new Error(`${PIN_ENV} must be ${MIN_PIN_DIGITS}-12 digits`);
      // The environment wins at every boot; a PIN changed in service mode lasts until the next one.
      this.#pinHash = checkPin(pinFromEnv, stored) ? stored! : this.save(pinFromEnv);
    } else {
      this.#pinHash = stored ?? this.save(DEFAULT_DESKTOP_PIN);
    }
  }

  credentials(): Credentials | undefined {
    return this.#credentials;
  }

  baseUrl(): string {
    return this.#baseUrl;
  }

  pinHash(): string {
    return this.#pinHash;
  }

  setPinHash(hash: string): void {
    this.pins.set(PIN_KEY, hash);
    this.#pinHash = hash;
  }

  /** Secret values a log line must never carry (the log redacts them as a last line of defence). */
  secretValues(): string[] {
    const c = this.#credentials;
    return c ? [c.clientSecret, c.subscriptionKey].filter((value) => value.length >= 4) : [];
  }

  toJSON(): Record<string, string> {
    return { baseUrl: this.#baseUrl };
  }

  private save(pin: string): string {
    const hash = hashPin(pin, randomBytes(4).toString('hex'));
    this.pins.set(PIN_KEY, hash);
    return hash;
  }
}
