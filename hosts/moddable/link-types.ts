// What main.ts needs from the parts that differ between the ESP32 and the simulator (network.ts,
// sntp.ts and their stand-ins in sim/): the manifest maps one or the other to the same module name,
// and both implement these. serial-lines.ts is the same on both (the simulator stands in for
// embedded:io/serial under it, sim/serial-file.ts).
import type { Log } from 'ports/log';
import type { KeyValueStore } from 'ports/store';
import type { QrMatrix } from 'qr/matrix';
import type { DisplayList } from 'app/screens/display-list';
import type { Action, MachineView } from 'app/sale/view';

export interface NetworkOptions {
  ssid: string | undefined;
  password: string | undefined;
  log: Log;
  /** `dnsServers`: on the way up, the DNS servers DHCP gave (undefined when none, or unknown). */
  onChange(up: boolean, dnsServers?: string[]): void;
}

export interface NetworkLink {
  readonly up: boolean;
  /** The Wi-Fi signal in dBm while connected, where there is Wi-Fi (not in the simulator). */
  rssi?(): number | undefined;
  stop(): void;
}

export interface ClockSyncOptions {
  /** NTP servers, asked one at a time in this order. */
  servers: readonly string[];
  /** The DNS servers to resolve them with (DHCP's); undefined: the fallback public ones. */
  dnsServers(): readonly string[] | undefined;
  log: Log;
  /** Told once the wall clock is set (and again after every later sync), with the server that answered. */
  onSet(server?: string): void;
}

export interface ClockSync {
  readonly set: boolean;
  /** The network came (back): sync now if not yet set. */
  networkUp(): void;
  stop(): void;
}

export interface SerialLines {
  /** Sends one line of an answer. */
  writeLine(text: string): void;
  stop(): void;
}

/** What the test driver (test-driver.ts, simulator only) may see and do. */
export interface TestHooks {
  /** Its own Preference domain: the plan and the taps done. */
  store: KeyValueStore;
  view(): MachineView;
  inService(): boolean;
  act(action: Action): void;
  list(): DisplayList | undefined;
  touch(x: number, y: number, holdMs: number): Action | undefined;
  qrDraws(): number;
  drawnQr(): QrMatrix | undefined;
  requests(): number;
  connections(): number;
}

export interface TestDriverLike {
  /** The plan asks for pulses that never end (the watchdog test). */
  readonly hangPulses: boolean;
  changed(): void;
  exchanged(): void;
  painted(): void;
}
