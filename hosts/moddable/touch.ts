// Touches as (x, y, holdMs): one call when a press ends, at the point where it began (a finger
// slides as it lifts), with how long it lasted, so hitTest can tell a tap from the service
// corner's long press. Without Piu, as the SDK's commodetto examples read touch:
// - on the device, the touch driver the target's manifest names (`config.Touch`: the FT6206 on
//   the Moddable Two), polled: the legacy driver fills `points` through `read()` (state 1 or 2
//   while pressed, 0 or 3 once lifted), an ECMA-419 driver answers `sample()`;
// - in the simulator, which has no driver, mcsim calls `screen.context.onTouchBegan/Moved/Ended`
//   (id, x, y, ticks) for clicks on the screen.
import config from 'mc/config';
import Time from 'time';
import Timer from 'timer';
import type {} from 'commodetto/Poco'; // declares the `screen` global

export type TouchHandler = (x: number, y: number, holdMs: number) => void;

export interface TouchInput {
  stop(): void;
}

/** How often the driver is read: the SDK's examples poll at 16-17 ms. */
export const POLL_MS = 17;

interface LegacyPoint { state?: number; x?: number; y?: number }
interface TouchDriver {
  read?(points: LegacyPoint[]): void;
  sample?(): Array<{ x: number; y: number }> | undefined;
  close?(): void;
}
type TouchDriverConstructor = new (options: { onSample?: () => void }) => TouchDriver;

/** What the simulator calls on `screen.context`. */
export interface SimulatorTouchContext {
  onTouchBegan(id: number, x: number, y: number, ticks: number): void;
  onTouchMoved(id: number, x: number, y: number, ticks: number): void;
  onTouchEnded(id: number, x: number, y: number, ticks: number): void;
}

/** Tracks one press: where it began and when. */
class Press {
  private down = false;
  private x = 0;
  private y = 0;
  private since = 0;

  constructor(private readonly onTouch: TouchHandler) {}

  began(x: number, y: number, ticks: number): void {
    if (this.down) return;
    this.down = true;
    this.x = x;
    this.y = y;
    this.since = ticks;
  }

  ended(ticks: number): void {
    if (!this.down) return;
    this.down = false;
    this.onTouch(this.x, this.y, Math.max(0, ticks - this.since));
  }
}

/** Consecutive failed reads after which the panel counts as gone (about 85 ms of failures). */
export const FAILURES_GONE = 5;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

/**
 * Starts reading touches: the device's driver when the build has one, else the simulator's screen.
 * `onStatus(ok)` is told every change of whether the panel answers (never at start while it does).
 */
export function startTouch(onTouch: TouchHandler, onStatus: (ok: boolean) => void = () => {}, log?: { warn(message: string): void }): TouchInput {
  const Driver = (config as Record<string, unknown>).Touch as TouchDriverConstructor | undefined;
  return Driver ? startDriver(Driver, new Press(onTouch), onStatus, log) : startSimulator(new Press(onTouch));
}

/**
 * The FT6206 is on I2C: its constructor throws when the chip does not answer at boot, and `read()`
 * throws on a bus error. Uncaught, either one restarts a release build (and at boot that is a
 * reboot loop before recovery runs). So both are caught: failed reads are counted, and after
 * FAILURES_GONE in a row the driver is closed, the panel is reported gone, and a new driver is
 * made with backoff (1 s doubling to a minute) until one reads again.
 */
function startDriver(Driver: TouchDriverConstructor, press: Press, onStatus: (ok: boolean) => void, log?: { warn(message: string): void }): TouchInput {
  let driver: TouchDriver | undefined;
  let timer: Timer | undefined;
  let retryTimer: Timer | undefined;
  let retryMs = FIRST_RETRY_MS;
  let failures = 0;
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
          if (sampled.length > 0) press.began(sampled[0].x, sampled[0].y, Time.ticks);
          else press.ended(Time.ticks);
        }
      } else {
        // Legacy (the FT6206 driver): the same point object is filled on every read.
        driver.read!(points);
        const point = points[0];
        if (point.state === 1 || point.state === 2) press.began(point.x ?? 0, point.y ?? 0, Time.ticks);
        else press.ended(Time.ticks);
      }
      failures = 0;
      retryMs = FIRST_RETRY_MS;
      report(true);
    } catch (error) {
      failures++;
      if (failures >= FAILURES_GONE) {
        log?.warn(`touch: ${failures} reads failed (${String(error)}); retrying`);
        lose();
      }
    }
  };

  function lose(): void {
    if (timer !== undefined) Timer.clear(timer);
    timer = undefined;
    try { driver?.close?.(); } catch { /* gone anyway */ }
    driver = undefined;
    failures = 0;
    press.ended(Time.ticks);
    report(false);
    scheduleOpen();
  }

  function scheduleOpen(): void {
    if (stopped || retryTimer !== undefined) return;
    const delay = retryMs;
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    retryTimer = Timer.set(() => {
      retryTimer = undefined;
      open();
    }, delay);
  }

  function open(): void {
    if (stopped) return;
    try {
      driver = new Driver({});
    } catch (error) {
      log?.warn(`touch: the driver could not be made (${String(error)}); retrying`);
      driver = undefined;
      report(false);
      scheduleOpen();
      return;
    }
    // Back only once a read succeeds (poll reports it).
    timer = Timer.repeat(poll, POLL_MS);
  }

  open();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) Timer.clear(timer);
      if (retryTimer !== undefined) Timer.clear(retryTimer);
      timer = undefined;
      retryTimer = undefined;
      try { driver?.close?.(); } catch { /* closed */ }
      driver = undefined;
    },
  };
}

function startSimulator(press: Press): TouchInput {
  const host = screen as unknown as { context?: SimulatorTouchContext };
  const context: SimulatorTouchContext = {
    onTouchBegan: (id, x, y, ticks) => { if (id === 0) press.began(x, y, ticks); },
    onTouchMoved: () => {},
    onTouchEnded: (id, _x, _y, ticks) => { if (id === 0) press.ended(ticks); },
  };
  host.context = context;
  return {
    stop() {
      if (host.context === context) host.context = undefined;
    },
  };
}
