// The messages between the page's server (the parent) and the machine process (the child) over
// Node's IPC channel ('advanced' serialization, so pixels travel as bytes, not JSON arrays).
// The child is the device: it never learns about the page; the parent is the world around it
// (the power switch, the network cable, the product chute).
import type { Box, TouchTarget } from 'app/screens/display-list';
import type { MachineStatus } from 'app/sale/machine';
import type { MachineTiming } from 'app/sale/machine';

/** What the child needs to boot; it reads credentials and the PIN from its own environment. */
export interface MachineInit {
  /** The machine configuration file (JSON). */
  configPath: string;
  /** Where the journal (a FileStore) and the service PIN's hash live. */
  stateDir: string;
  /** The ePayment base URL (the built-in emulator's unless EPAYMENT_BASE_URL says otherwise). */
  baseUrl: string;
  /** The base URL is the emulator started beside the machine: unset credentials take its defaults. */
  builtInEmulator: boolean;
  /** Timing overrides (--fast). */
  timing: Partial<MachineTiming>;
  /** Overrides of the configuration's walk-away and result timings (--fast). */
  walkAwayTimeoutSeconds?: number;
  network: boolean;
  /** Drop sensor switches by sensor pin: false = the next drops are not seen. */
  sensors: Record<number, boolean>;
  /** Sensor pins stuck active (a level that reads a product in the beam). */
  stuck?: number[];
  /** The fleet link's credentials file ({posId, url, password, key}); no link without it. */
  fleetCredentials?: string;
  /** The fleet broker's CA (PEM file), for mqtts:// with a private CA. */
  fleetCa?: string;
}

export type ParentMessage =
  | { t: 'init'; init: MachineInit }
  | { t: 'touch'; id: number; x: number; y: number; holdMs: number }
  | { t: 'network'; up: boolean }
  | { t: 'sensor'; pin: number; drop: boolean; stuck: boolean }
  | { t: 'sales'; id: number };

export interface PaymentOnScreen {
  reference: string;
  /** The QR's text: the URL the customer's phone opens. */
  redirectUrl: string;
}

export interface ChildState {
  status: MachineStatus;
  payment?: PaymentOnScreen;
  /** Where a touch does what on the screen now. */
  targets: readonly TouchTarget[];
  /** The last sale's time from the touch to the QR in the framebuffer. */
  tapToQrMs?: number;
  rssBytes: number;
}

export type ChildMessage =
  /** Listening for 'init'. */
  | { t: 'hello' }
  | { t: 'ready'; pid: number }
  /** Changed boxes, each with its RGB565 bytes (row by row, little-endian as the framebuffer). */
  | { t: 'frame'; boxes: Box[]; pixels: Uint8Array[] }
  | ({ t: 'state' } & ChildState)
  | { t: 'log'; level: 'info' | 'warn' | 'error'; message: string; at: number }
  | { t: 'output'; pin: number; active: boolean; at: number; ms: number; reference?: string }
  | { t: 'drop'; pin: number; seen: boolean; at: number }
  | { t: 'reply'; id: number; value: unknown };
