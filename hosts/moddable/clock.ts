// The Clock port on Moddable's Timer and Time.ticks. now() must be monotonic (timeouts, deadlines,
// token expiry are differences of now()), so it is not Date.now(): the wall clock jumps when SNTP
// sets it after boot, and again at every resync. Time.ticks counts milliseconds since boot, but on
// the ESP32 as a 32-bit integer (FreeRTOS ticks, cast to int32 by xsmcSetInteger): it turns
// negative after 24.8 days and wraps after 49.7. TickCounter unwraps it; a timer reads it every
// hour so that no wrap can go unseen. In the simulator Time.ticks is the host's wall clock in ms; a
// step back there is held, never returned as time going backwards. Wall time, for display and
// logs, is Date.now() once SNTP has set it; it is not this port's business.
import Time from 'time';
import Timer from 'timer';
import type { Clock, TimerHandle } from 'ports/clock';

const WRAP = 2 ** 32;
const HALF = 2 ** 31;
const KEEP_READING_MS = 60 * 60 * 1000;

/** Turns raw tick readings (int32 that wraps, or a double that may step back) into monotonic ms. */
export class TickCounter {
  #last: number;
  #elapsed: number;

  constructor(first: number) {
    this.#last = first;
    this.#elapsed = first < 0 ? first + WRAP : first;
  }

  read(raw: number): number {
    let delta = raw - this.#last;
    this.#last = raw;
    // A drop of more than half the range is the 32-bit counter wrapping; a smaller one is a wall
    // clock (the simulator's) stepping back, which must not make time run backwards.
    if (delta < -HALF) delta += WRAP;
    else if (delta < 0) delta = 0;
    this.#elapsed += delta;
    return this.#elapsed;
  }
}

let counter: TickCounter | undefined;
let keeper: Timer | undefined;

function now(): number {
  if (!counter) {
    counter = new TickCounter(Time.ticks);
    // Started on first use, not at module load: a preloaded module runs at build time.
    keeper = Timer.repeat(() => counter!.read(Time.ticks), KEEP_READING_MS);
  }
  return counter.read(Time.ticks);
}

export const moddableClock: Clock = {
  now,
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    if (!keeper) now();
    return Timer.set(() => callback(), Math.max(0, delayMs));
  },
  clearTimeout(handle: TimerHandle): void {
    // Clearing a timer that already fired, or undefined, is harmless in Moddable.
    if (handle) Timer.clear(handle as Timer);
  },
};
