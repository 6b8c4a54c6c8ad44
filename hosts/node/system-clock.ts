// The Clock port on Node's own timers.
import type { Clock, TimerHandle } from 'ports/clock';

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback: () => void, delayMs: number): TimerHandle => setTimeout(callback, delayMs),
  clearTimeout: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
};
