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
import { superviseDriver, type TouchDriver } from 'hosts/moddable/touch-reader';

export type TouchHandler = (x: number, y: number, holdMs: number) => void;

export interface TouchInput {
  stop(): void;
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

  cancel(): void {
    this.down = false;
  }

  ended(ticks: number): void {
    if (!this.down) return;
    this.down = false;
    this.onTouch(this.x, this.y, Math.max(0, ticks - this.since));
  }
}

/**
 * Starts reading touches: the device's driver when the build has one, else the simulator's screen.
 * `onStatus(ok)` is told every change of whether the panel answers (never at start while it does).
 * Driver errors are caught, counted and retried (touch-reader.ts): they never throw out of here.
 */
export function startTouch(onTouch: TouchHandler, onStatus: (ok: boolean) => void = () => {}, log?: { warn(message: string): void }): TouchInput {
  const Driver = (config as Record<string, unknown>).Touch as TouchDriverConstructor | undefined;
  if (!Driver) return startSimulator(new Press(onTouch));
  return superviseDriver(() => new Driver({}), new Press(onTouch), {
    repeat: (callback, ms) => Timer.repeat(callback, ms),
    once: (callback, ms) => Timer.set(callback, ms),
    clear: (handle) => Timer.clear(handle as Timer),
    ticks: () => Time.ticks,
  }, onStatus, log);
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
