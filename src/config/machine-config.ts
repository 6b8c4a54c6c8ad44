// One JSON document describes a machine: where it stands, what it sells, how long things wait.
// Credentials, the base URL and the service PIN never live here (they come through SecretStore).

export type Language = 'nb' | 'da' | 'fi' | 'sv' | 'en';
export const LANGUAGES: readonly Language[] = ['nb', 'da', 'fi', 'sv', 'en'];

export type MachineCurrency = 'NOK' | 'DKK' | 'EUR';

/** The wallet's name as the customer knows it in this market (MobilePay becomes Vipps on 12 January 2027). */
export type Brand = 'Vipps' | 'MobilePay' | 'Vipps MobilePay';
export const BRANDS: readonly Brand[] = ['Vipps', 'MobilePay', 'Vipps MobilePay'];

export interface OutputConfig {
  /** GPIO number. */
  pin: number;
  /** How long the release pulse lasts. */
  pulseMs: number;
  /** The pin is active when low. */
  activeLow: boolean;
}

export interface DropSensorConfig {
  pin: number;
  /** How long after the pulse started a drop must be seen. */
  timeoutMs: number;
  mode: 'edge' | 'level';
  activeLow: boolean;
}

export interface Product {
  /** [a-z0-9-], at most 16 characters: on receipts, in the sales log and in the journal. */
  id: string;
  /** Names per language; the machine's default language must be present. */
  names: Partial<Record<Language, string>>;
  /** Including VAT, in minor units (øre, cents). */
  price: number;
  /** Hundredths of a percent, as the API's taxRate: 2500 is 25 %. */
  vatRate: number;
  minimumUserAge?: number;
  /** Units left; the product is sold out at 0. Absent: not counted. */
  stock?: number;
  soldOut: boolean;
  output: OutputConfig;
  dropSensor?: DropSensorConfig;
}

export interface MachineConfig {
  /** Names the machine on receipts and in references: [A-Za-z0-9-], at most 24 characters. */
  posId: string;
  /** Offered languages; the first is the default. */
  languages: Language[];
  currency: MachineCurrency;
  brand: Brand;
  /** Minutes east of UTC, for the sales log shown in service mode. */
  timeZoneOffsetMinutes: number;
  /** The payment's lifetime as the service gives it (10 minutes): the countdown's length. */
  qrTimeLimitSeconds: number;
  /** Back to the first page and the default language after this long without a touch. */
  idleTimeoutSeconds: number;
  /** No authorization within this long: the customer walked away; cancel (transaction only). */
  walkAwayTimeoutSeconds: number;
  /** The create request's overall deadline, all retries included. */
  createDeadlineMs: number;
  /** Shown on result and error screens, e.g. "Help: +47 22 00 00 00". */
  operatorContact: string;
  catalog: Product[];
}

/** Days the service guarantees a capture before it cancels the payment by itself. */
export function captureDeadlineDays(currency: MachineCurrency): number {
  return currency === 'NOK' ? 180 : 14;
}
