// What the controller shows: the one input of `screen(view, now)`. Plain data, no behaviour, so
// every host draws the same thing from it and tests can build any screen directly.
import type { Language } from 'app/config/machine-config';

export type OutOfServiceReason =
  | 'config' // the machine configuration is invalid (detail: the first problem)
  | 'credentials' // no API credentials provisioned
  | 'network' // no network
  | 'clock' // the clock is not set (TLS checks certificate dates)
  | 'token' // no access token could be had
  | 'sold-out' // every product is sold out
  | 'queue-full' // too many captures or cancels waiting to be settled
  | 'cancel-failing' // a pending cancel keeps failing
  | 'recovering' // finishing the previous sale after a restart
  | 'journal' // the journal's store failed a write or a read, or is too full for a sale (detail: the store's error)
  | 'touch'; // the touch panel does not answer (its I2C reads fail): nobody could choose or cancel

/** Short codes shown on the out-of-service screen, for the operator. */
export const OUT_OF_SERVICE_CODES: Record<OutOfServiceReason, string> = {
  config: 'E01',
  credentials: 'E02',
  network: 'E03',
  clock: 'E04',
  token: 'E05',
  'sold-out': 'E06',
  'queue-full': 'E07',
  'cancel-failing': 'E08',
  recovering: 'E09',
  journal: 'E10',
  touch: 'E11',
};

/** Told on the idle screen for a while after a restart finished the previous sale. */
export interface RecoveryNotice {
  reference: string;
  /** 'completed': the product was released and the payment captured (or queued for capture); 'cancelled': nothing charged; 'pending': still being settled. */
  outcome: 'completed' | 'cancelled' | 'pending';
  /** Clock time until which the notice is shown. */
  until: number;
}

export interface ProductSummary {
  id: string;
  price: number;
  soldOut: boolean;
  /** Units left, when counted (service mode's restock shows it). */
  stock?: number;
  /** Out of sale until the operator clears it: its drop sensor read active before a release. */
  fault?: 'sensor';
}

/** Screens of a sale. `reference` is the payment reference shown on result and error screens. */
export type SaleScreen =
  | { screen: 'idle'; page: number; pages: number; notice?: RecoveryNotice }
  | { screen: 'creating'; product: string }
  /** The QR: `expiresAt` is the machine's estimate (create time plus the QR limit). */
  | { screen: 'payment'; product: string; reference: string; redirectUrl: string; expiresAt: number; cancelling: boolean }
  /** A cancel was answered 423: the customer is in the app, mid-authorization. */
  | { screen: 'finish-in-app'; product: string; reference: string; expiresAt: number }
  | { screen: 'releasing'; product: string; reference: string }
  | { screen: 'thank-you'; product: string; reference: string }
  /** A cancel is on its way (or being retried); nothing is said about money until the service confirms. */
  | { screen: 'reversing'; product: string; reference: string }
  /** The service confirmed: nothing was charged (after a failed release, or another reversal). */
  | { screen: 'not-charged'; product: string; reference: string }
  /** The customer cancelled on the machine and the service confirmed it. */
  | { screen: 'cancelled'; product: string; reference: string }
  | { screen: 'expired'; product: string; reference: string }
  /** The customer cancelled in the app. */
  | { screen: 'aborted'; product: string; reference: string }
  /** `charged` is 'no' only once the service's record says so; otherwise 'unknown' (being sorted out). */
  | { screen: 'error'; product?: string; reference?: string; charged: 'no' | 'unknown' }
  | { screen: 'out-of-service'; reason: OutOfServiceReason; detail?: string }
  | ServiceScreen;

export type ServiceMenuItem = 'outputs' | 'restock' | 'status' | 'log' | 'refund' | 'pin' | 'exit';
export const SERVICE_MENU: readonly ServiceMenuItem[] = ['outputs', 'restock', 'status', 'log', 'refund', 'pin', 'exit'];

export interface QueueEntryView {
  reference: string;
  operation: 'capture' | 'cancel' | 'refund';
  amount: number;
  /** A capture refused for good for now (6260) or past captureGuaranteedUntil: reported to the operator. */
  overdue: boolean;
  /** A capture pending over 24 h since its sale, or within 48 h of its guarantee: the operator must act. */
  late: boolean;
  tries: number;
}

export type SaleOutcome =
  | 'captured' // released and captured
  | 'capture-pending' // released; the capture is queued
  | 'capture-overdue' // released; the service refuses the capture (6260 or past the guarantee)
  | 'capture-expired' // released; the service cancelled the payment at its capture deadline
  | 'cancelled' // not released, nothing charged
  | 'cancel-pending' // not released; the cancel is queued
  | 'aborted'
  | 'expired'
  | 'terminated'
  | 'failed' // no payment was made (create failed, or 409: not ours)
  | 'refunded'
  | 'test-fire';

export interface SalesLogEntry {
  /** UTC, epoch seconds. */
  time: number;
  product: string;
  amount: number;
  reference: string;
  outcome: SaleOutcome;
}

export interface StatusView {
  network: boolean;
  clockSet: boolean;
  /** The NTP server that last set the clock; undefined when none did (not yet, or the simulator's computer clock). */
  timeServer?: string;
  /** Seconds the access token stays fresh; 0 when there is none. */
  tokenFreshSeconds: number;
  /** The last API call's result, e.g. 'ok', 'HTTP 503', 'timeout'. */
  api: string;
  baseUrl: string;
  /** The configuration with every secret masked, as lines "key: value". */
  settings: string[];
}

export type ServiceScreen =
  /** `digits`: how many digits are entered (never the digits); `lockedUntil` after three wrong tries. */
  | { screen: 'service-pin'; digits: number; wrong: boolean; lockedUntil?: number }
  | { screen: 'service-menu' }
  | { screen: 'service-outputs'; page: number; pages: number; lastFired?: string }
  | { screen: 'service-restock'; page: number; pages: number }
  | { screen: 'service-status'; status: StatusView; queue: QueueEntryView[] }
  /** `entries`: the current page's rows, newest first. */
  | { screen: 'service-log'; page: number; pages: number; entries: SalesLogEntry[] }
  /** `candidates`: the current page's captured sales, newest first. */
  | { screen: 'service-refund'; candidates: SalesLogEntry[]; page: number; pages: number; result?: 'refunded' | 'failed' }
  /** Changing the PIN: first the new PIN, then again to confirm. */
  | { screen: 'service-pin-change'; step: 'new' | 'confirm'; digits: number; result?: 'changed' | 'mismatch' | 'too-short' };

/** Everything a screen needs besides the clock. */
export interface MachineView {
  language: Language;
  /** The base URL is not production: every screen carries a TEST mark. */
  testMode: boolean;
  sale: SaleScreen;
  /** Per product: price and availability (names come from the configuration). */
  products: ProductSummary[];
}

/** What a touch target does; hit-testing in src/ maps (x, y) to one of these. */
export type Action =
  | { type: 'select'; product: string }
  | { type: 'page'; delta: 1 | -1 }
  | { type: 'language'; language: Language }
  | { type: 'cancel' }
  | { type: 'dismiss' }
  | { type: 'service' }
  | { type: 'pin-digit'; digit: number }
  | { type: 'pin-clear' }
  | { type: 'pin-enter' }
  | { type: 'menu'; item: ServiceMenuItem }
  | { type: 'fire'; product: string }
  | { type: 'restock'; product: string; delta: number }
  | { type: 'toggle-sold-out'; product: string }
  | { type: 'refund'; reference: string }
  | { type: 'back' };
