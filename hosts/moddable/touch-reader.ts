// The touch driver's supervision, without Moddable imports (tested on Node with a fake driver and
// fake timers): see startDriver in touch.ts.
export interface LegacyPoint { state?: number; x?: number; y?: number }
export interface TouchDriver {
  read?(points: LegacyPoint[]): void;
  sample?(): Array<{ x: number; y: number }> | undefined;
  close?(): void;
}
export interface TouchPress {
  began(x: number, y: number, ticks: number): void;
  ended(ticks: number): void;
  /** Forgets a press under way without reporting it (the panel failed in the middle). */
  cancel(): void;
}
export interface TouchTimers {
  repeat(callback: () => void, ms: number): unknown;
  once(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
  ticks(): number;
}
export interface SupervisedTouch {
  /** Whether the panel answers now. */
  readonly ok: boolean;
  /** Failed reads and constructions since the start. */
  readonly errors: number;
  stop(): void;
}

/** How often the driver is read: the SDK's examples poll at 16-17 ms. */
export const POLL_MS = 17;
/** Consecutive failed reads after which the panel counts as gone (about 85 ms of failures). */
export const FAILURES_GONE = 5;
export const FIRST_RETRY_MS = 1_000;
export const MAX_RETRY_MS = 60_000;

/**
 * The FT6206 is on I2C: its constructor throws when the chip does not answer at boot, and `read()`
 * throws on a bus error. Uncaught, either one restarts a release build (and at boot that is a
 * reboot loop before recovery runs). So both are caught and counted: after FAILURES_GONE failed
 * reads in a row the driver is closed, the panel is reported gone (`onStatus(false)`), and a new
 * driver is made with backoff (1 s doubling to a minute) until one reads again (`onStatus(true)`).
 */
export function superviseDriver(
  makeDriver: () => TouchDriver,
  press: TouchPress,
  timers: TouchTimers,
  onStatus: (ok: boolean) => void,
  log?: { warn(message: string): void },
): SupervisedTouch {
  let driver: TouchDriver | undefined;
  let timer: unknown;
  let retryTimer: unknown;
  let retryMs = FIRST_RETRY_MS;
  let failures = 0;
  let errors = 0;
  let ok = true;
  let stopped = false;
  const points: LegacyPoint[] = [{}];

  const report = (now: boolean) => {
    if (now === ok) return;
    ok = now;
    onStatus(now);
  };

  const poll = () => {
    if (!driver) return;
    try {
      if (driver.sample) {
        // ECMA-419: an empty sample means nothing touches the panel.
        const sampled = driver.sample();
        if (sampled) {
          if (sampled.length > 0) press.began(sampled[0]!.x, sampled[0]!.y, timers.ticks());
          else press.ended(timers.ticks());
        }
      } else {
        // Legacy (the FT6206 driver): the same point object is filled on every read.
        driver.read!(points);
        const point = points[0]!;
        if (point.state === 1 || point.state === 2) press.began(point.x ?? 0, point.y ?? 0, timers.ticks());
        else press.ended(timers.ticks());
      }
      failures = 0;
      retryMs = FIRST_RETRY_MS;
      report(true);
    } catch (error) {
      failures++;
      errors++;
      if (failures >= FAILURES_GONE) {
        log?.warn(`touch: ${failures} reads failed (${String(error)}); retrying`);
        lose();
      }
    }
  };

  function lose(): void {
    if (timer !== undefined) timers.clear(timer);
    timer = undefined;
    try { driver?.close?.(); } catch { /* gone anyway */ }
    driver = undefined;
    failures = 0;
    press.cancel();
    report(false);
    scheduleOpen();
  }

  function scheduleOpen(): void {
    if (stopped || retryTimer !== undefined) return;
    const delay = retryMs;
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    retryTimer = timers.once(() => {
      retryTimer = undefined;
      open();
    }, delay);
  }

  function open(): void {
    if (stopped) return;
    try {
      driver = makeDriver();
    } catch (error) {
      errors++;
      log?.warn(`touch: the driver could not be made (${String(error)}); retrying`);
      driver = undefined;
      report(false);
      scheduleOpen();
      return;
    }
    // Back only once a read succeeds (poll reports it).
    timer = timers.repeat(poll, POLL_MS);
  }

  open();
  return {
    get ok() { return ok; },
    get errors() { return errors; },
    stop() {
      stopped = true;
      if (timer !== undefined) timers.clear(timer);
      if (retryTimer !== undefined) timers.clear(retryTimer);
      timer = undefined;
      retryTimer = undefined;
      try { driver?.close?.(); } catch { /* closed */ }
      driver = undefined;
    },
  };
}
