// A job the server runs every so often and on demand: one round at a time (a call while one runs
// waits for it), none after close(), and close() waits for the round in flight.
export interface Repeating<T> {
  /** One round now (also what the timer runs); undefined once closed. */
  tick(): Promise<T | undefined>;
  close(): Promise<void>;
}

export function every<T>(everyMs: number, round: () => Promise<T>): Repeating<T> {
  let running: Promise<T> | undefined;
  let closed = false;
  const tick = (): Promise<T | undefined> => {
    if (closed) return Promise.resolve(undefined);
    running ??= round().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return {
    tick,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
    },
  };
}
