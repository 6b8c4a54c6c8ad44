// The SecretStore on Preference: the API keys, the base URL and the service PIN's salted hash, in a
// Preference domain of their own (NVS on the ESP32; enable NVS encryption, see the README), written
// only by the serial provisioning console (provision.ts). Never in the manifest, never in the
// firmware image, never traced: only `describe()` says anything about them, and it masks.
//
// For development and the simulator a build may carry TEST credentials in mc/config
// (`mcconfig ... testClientId=... testClientSecret=... testSubscriptionKey=... testMsn=...
// testBaseUrl=https://apitest.vipps.no`). They are used only while nothing is provisioned, and
// never with the production base URL: a production machine runs on provisioned keys or not at all.
import type { Credentials } from 'epayment/config';
import { BASE_URLS } from 'epayment/config';
import { isProductionBaseUrl } from 'epayment/base-url';
import type { SecretStore } from 'ports/secrets';
import type { KeyValueStore } from 'ports/store';

/** The console's names for the fields, and the Preference keys they are kept under. */
export const SECRET_KEYS = Object.freeze({
  clientId: 'clientId',
  secret: 'secret',
  key: 'key',
  msn: 'msn',
  baseUrl: 'baseUrl',
  pinHash: 'pinHash',
  wifiSsid: 'wifiSsid',
  wifiPassword: 'wifiPass',
  ntp: 'ntp',
});
export type SecretField = keyof typeof SECRET_KEYS;

/** The fleet link's credentials (`set fleet <url> <password> <key>`), one Preference key each. */
export const FLEET_KEYS = Object.freeze({ url: 'fleetUrl', password: 'fleetPass', key: 'fleetKey' });

export interface FleetSecrets {
  url: string;
  password: string;
  key: string;
}

/** The host (and port) of a broker URL, for what may be shown; never the rest. */
export function fleetUrlHost(url: string): string {
  const start = url.indexOf('://');
  return start < 0 ? '?' : url.slice(start + 3).split('/')[0]!;
}

/** mc/config names of the build-time test credentials. */
const TEST_SETTINGS = Object.freeze({
  clientId: 'testClientId',
  clientSecret: 'testClientSecret',
  subscriptionKey: 'testSubscriptionKey',
  merchantSerialNumber: 'testMsn',
  baseUrl: 'testBaseUrl',
});

export type CredentialSource = 'provisioned' | 'build-test' | 'none';

/** The build's test credentials, when all five settings are there and the URL is not production. */
export function buildTestCredentials(settings: Record<string, unknown>): { credentials: Credentials; baseUrl: string } | undefined {
  const text = (name: string) => {
    const value = settings[name];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const clientId = text(TEST_SETTINGS.clientId);
  const clientSecret = text(TEST_SETTINGS.clientSecret);
  const subscriptionKey = text(TEST_SETTINGS.subscriptionKey);
  const merchantSerialNumber = text(TEST_SETTINGS.merchantSerialNumber);
  const baseUrl = text(TEST_SETTINGS.baseUrl)?.replace(/\/+$/, '');
  if (!clientId || !clientSecret || !subscriptionKey || !merchantSerialNumber || !baseUrl) return undefined;
  if (isProductionBaseUrl(baseUrl)) return undefined;
  return { credentials: { clientId, clientSecret, subscriptionKey, merchantSerialNumber }, baseUrl };
}

/** What `show` prints for a secret: that it is set and how long, never any of it. */
function maskSecret(value: string | undefined): string {
  return value === undefined ? 'not set' : `set (${value.length} characters)`;
}

/** An identifier is shown by its first 4 characters only. */
function maskId(value: string | undefined): string {
  return value === undefined ? 'not set' : `${value.slice(0, 4)}... (${value.length} characters)`;
}

export class PreferenceSecrets implements SecretStore {
  constructor(
    private readonly store: KeyValueStore,
    /** buildTestCredentials(mc/config), or undefined. */
    private readonly buildTest: ReturnType<typeof buildTestCredentials>,
  ) {}

  /** Where the credentials in force come from. */
  source(): CredentialSource {
    if (this.provisioned()) return 'provisioned';
    if (this.anyProvisioned()) return 'none';
    return this.buildTest ? 'build-test' : 'none';
  }

  credentials(): Credentials | undefined {
    const provisioned = this.provisioned();
    if (provisioned) return provisioned;
    // Half-provisioned keys are not mixed with the build's: out of service until complete.
    if (this.anyProvisioned()) return undefined;
    return this.buildTest?.credentials;
  }

  /** The provisioned base URL, else production for provisioned keys, else the test build's. */
  baseUrl(): string | undefined {
    const stored = this.store.get(SECRET_KEYS.baseUrl);
    if (stored) return stored;
    if (this.anyProvisioned()) return BASE_URLS.production;
    return this.buildTest?.baseUrl;
  }

  pinHash(): string | undefined {
    return this.store.get(SECRET_KEYS.pinHash);
  }

  setPinHash(hash: string): void {
    this.store.set(SECRET_KEYS.pinHash, hash);
  }

  set(field: Exclude<SecretField, 'pinHash'>, value: string): void {
    this.store.set(SECRET_KEYS[field], value);
  }

  /** The provisioned Wi-Fi network, if any (else the build's settings apply). */
  wifi(): { ssid?: string; password?: string } {
    const ssid = this.store.get(SECRET_KEYS.wifiSsid);
    const password = this.store.get(SECRET_KEYS.wifiPassword);
    return { ...(ssid ? { ssid } : {}), ...(password ? { password } : {}) };
  }

  /** The provisioned NTP servers as typed (`set ntp a,b,c`), if any. */
  ntp(): string | undefined {
    return this.store.get(SECRET_KEYS.ntp);
  }

  /** The provisioned fleet credentials, when all three are there. */
  fleet(): FleetSecrets | undefined {
    const url = this.store.get(FLEET_KEYS.url);
    const password = this.store.get(FLEET_KEYS.password);
    const key = this.store.get(FLEET_KEYS.key);
    return url && password && key ? { url, password, key } : undefined;
  }

  setFleet(fleet: FleetSecrets): void {
    this.store.set(FLEET_KEYS.url, fleet.url);
    this.store.set(FLEET_KEYS.password, fleet.password);
    this.store.set(FLEET_KEYS.key, fleet.key);
  }

  clearFleet(): void {
    for (const key of Object.values(FLEET_KEYS)) this.store.delete(key);
  }

  /** Forgets every provisioned secret (the PIN and the fleet's included). */
  clear(): void {
    for (const key of Object.values(SECRET_KEYS)) this.store.delete(key);
    this.clearFleet();
  }

  /** The console's `show`: masked, one line each. */
  describe(): string[] {
    const get = (field: SecretField) => this.store.get(SECRET_KEYS[field]);
    return [
      `clientId: ${maskId(get('clientId'))}`,
      `secret: ${maskSecret(get('secret'))}`,
      `key: ${maskSecret(get('key'))}`,
      `msn: ${get('msn') ?? 'not set'}`,
      `baseUrl: ${this.baseUrl() ?? 'not set'}${get('baseUrl') ? '' : ' (not provisioned)'}`,
      `pin: ${get('pinHash') ? 'set' : 'not set'}`,
      `wifiSsid: ${get('wifiSsid') ?? 'not set (the build\'s wifiSsid applies)'}`,
      `wifiPassword: ${maskSecret(get('wifiPassword'))}`,
      `ntp: ${get('ntp') ?? 'not set (the build\'s sntpServers or the pool.ntp.org servers apply)'}`,
      `fleet: ${this.fleetLine()}`,
      `credentials in use: ${this.source()}`,
    ];
  }

  /** Whether the fleet is provisioned, and the broker's host: never the password or the key. */
  private fleetLine(): string {
    const fleet = this.fleet();
    return fleet ? `provisioned (${fleetUrlHost(fleet.url)})` : 'not set';
  }

  private provisioned(): Credentials | undefined {
    const clientId = this.store.get(SECRET_KEYS.clientId);
    const clientSecret = this.store.get(SECRET_KEYS.secret);
    const subscriptionKey = this.store.get(SECRET_KEYS.key);
    const merchantSerialNumber = this.store.get(SECRET_KEYS.msn);
    if (!clientId || !clientSecret || !subscriptionKey || !merchantSerialNumber) return undefined;
    return { clientId, clientSecret, subscriptionKey, merchantSerialNumber };
  }

  private anyProvisioned(): boolean {
    return [SECRET_KEYS.clientId, SECRET_KEYS.secret, SECRET_KEYS.key, SECRET_KEYS.msn].some((key) => this.store.get(key) !== undefined);
  }
}
