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

/** Starts reading touches: the device's driver when the build has one, else the simulator's screen. */
export function startTouch(onTouch: TouchHandler): TouchInput {
  const Driver = (config as Record<string, unknown>).Touch as TouchDriverConstructor | undefined;
  return Driver ? startDriver(Driver, new Press(onTouch)) : startSimulator(new Press(onTouch));
}

function startDriver(Driver: TouchDriverConstructor, press: Press): TouchInput {
  const driver = new Driver({});
  let timer: Timer | undefined;
  if (driver.sample) {
    // ECMA-419: an empty sample means nothing touches the panel.
    timer = Timer.repeat(() => {
      const points = driver.sample!();
      if (!points) return;
      if (points.length > 0) press.began(points[0].x, points[0].y, Time.ticks);
      else press.ended(Time.ticks);
    }, POLL_MS);
  } else {
    // Legacy (the FT6206 driver): the same point object is filled on every read.
    const points: LegacyPoint[] = [{}];
    timer = Timer.repeat(() => {
      driver.read!(points);
      const point = points[0];
      if (point.state === 1 || point.state === 2) press.began(point.x ?? 0, point.y ?? 0, Time.ticks);
      else press.ended(Time.ticks);
    }, POLL_MS);
  }
  return {
    stop() {
      if (timer !== undefined) Timer.clear(timer);
      timer = undefined;
      driver.close?.();
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
