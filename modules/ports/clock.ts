/**
 * Time as the core sees it. Hosts implement it with the platform's timers (Moddable's Timer, Node's
 * setTimeout); tests drive a manual clock. The core never reads a global clock or timer.
 */
export interface Clock {
  /** Milliseconds since an arbitrary epoch; only differences matter, except where `wallClock` is used. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = unknown;

/** Resolves after `delayMs` on the given clock. */
export function sleep(clock: Clock, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, delayMs);
  });
}
