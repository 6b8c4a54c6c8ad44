// The host's heartbeat: if the application stops making progress it is restarted, and boot-time
// recovery finishes the sale that was open (design.md rule 4). Progress is anything the
// controller does that takes a sale further: a change of its view, an API exchange settling, a
// pulse starting or ending. On a resting screen (idle, out of service, service mode) nothing need
// happen; anywhere else `stallMs` without progress means a promise that will never settle (a
// driver that hangs, a lost callback) and the machine restarts. Every wait in a sale is bounded
// well below the default (requests time out after seconds, polls come every 2 s, result screens
// last 8 s), so a healthy sale never trips it.
//
// A loop that never returns stops this timer too: on the ESP32 the ESP-IDF task watchdog
// (enabled in hosts/moddable/esp32/sdkconfig) resets the chip when the XS task has not returned to
// its event loop for 10 s. In the simulator there is no chip to reset: the app traces
// `watchdog: restart` and stops, and whoever runs it (npm run sim, the tests) starts it again.
import Time from 'time';
import Timer from 'timer';
import type { Log } from 'ports/log';

export const DEFAULT_STALL_MS = 90_000;
const CHECK_MS = 1_000;
/** A check that comes this late means the event loop itself was held up. */
const LATE_MS = 5_000;

const RESTING = (): RegExp => /^(idle|out-of-service|service-)/;

export interface WatchdogOptions {
  /** The screen the controller shows now (MachineView.sale.screen). */
  screen(): string;
  log: Log;
  stallMs?: number;
  /** Stops the machine before the restart (timers, pins). */
  beforeRestart?(): void;
}

export class Watchdog {
  private last = Time.ticks;
  private lastCheck = Time.ticks;
  private readonly timer: Timer;
  private readonly stallMs: number;
  restarting = false;

  constructor(private readonly options: WatchdogOptions) {
    this.stallMs = options.stallMs ?? DEFAULT_STALL_MS;
    this.timer = Timer.repeat(() => this.check(), CHECK_MS);
  }

  /** The controller did something. */
  progress(): void {
    this.last = Time.ticks;
  }

  stop(): void {
    Timer.clear(this.timer);
  }

  private check(): void {
    const now = Time.ticks;
    const late = now - this.lastCheck - CHECK_MS;
    this.lastCheck = now;
    if (late > LATE_MS) this.options.log.warn(`watchdog: the event loop was held up for ${late} ms`);
    const screen = this.options.screen();
    if (RESTING().test(screen)) {
      this.last = now;
      return;
    }
    const quiet = now - this.last;
    if (quiet > this.stallMs) this.restart(`no progress on the ${screen} screen for ${quiet} ms`);
  }

  /** Restarts the device (the SDK's System.restart on the ESP32); in the simulator, stops and says so. */
  restart(why: string): void {
    if (this.restarting) return;
    this.restarting = true;
    this.options.log.error(`watchdog: ${why}`);
    this.stop();
    try {
      this.options.beforeRestart?.();
    } catch {
      // restarting anyway
    }
    const system = (globalThis as { System?: { restart?: () => void } }).System;
    if (typeof system?.restart === 'function') system.restart();
    else trace('watchdog: restart\n');
  }
}
