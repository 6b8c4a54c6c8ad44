// What the device's pins and the simulator's stand-ins share: a pulse timed by a Timer (the event
// loop keeps running while an output is active) and a wait for a drop that ends at the first sign
// of one or at its timeout. Only how a level is written or a drop is noticed differs.
import Timer from 'timer';
import type { InputPin, OutputPin } from 'ports/io';

/** Drives a pin: true = active. Throws if the pin cannot be driven. */
export type DriveLevel = (active: boolean) => void;

export class TimedOutput implements OutputPin {
  readonly pin: number;
  readonly #drive: DriveLevel;
  #busy = false;

  /** Drives the pin inactive at once: a new output never starts active. */
  constructor(pin: number, drive: DriveLevel) {
    this.pin = pin;
    this.#drive = drive;
    drive(false);
  }

  pulse(durationMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // Two overlapping pulses would end at the first one's end: refuse the second.
      if (this.#busy) {
        reject(new Error(`pin ${this.pin}: a pulse is already running`));
        return;
      }
      try {
        this.#drive(true);
      } catch (error) {
        this.#release();
        reject(error instanceof Error ? error : new Error(`pin ${this.pin}: cannot drive`));
        return;
      }
      this.#busy = true;
      Timer.set(() => {
        this.#busy = false;
        try {
          this.#drive(false);
          resolve();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(`pin ${this.pin}: cannot release`));
        }
      }, Math.max(0, durationMs));
    });
  }

  /** Best effort back to inactive after a failed start. */
  #release(): void {
    try {
      this.#drive(false);
    } catch {
      // Nothing more can be done from here; the pulse is reported as failed.
    }
  }
}

/**
 * A drop sensor's wait. `watch` starts noticing drops and calls `seen` at the first one after it
 * started (never for a level that was already active); it returns a function that stops watching.
 * The wait resolves true at the first drop, false at its timeout. `read` is the level now.
 */
export type WatchDrops = (seen: () => void) => () => void;

export class DropWait implements InputPin {
  readonly pin: number;
  readonly #watch: WatchDrops;
  readonly #read: () => boolean;

  constructor(pin: number, watch: WatchDrops, read: () => boolean) {
    this.pin = pin;
    this.#watch = watch;
    this.#read = read;
  }

  isActive(): boolean {
    return this.#read();
  }

  waitForDrop(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let done = false;
      let stop: (() => void) | undefined;
      let timer: Timer | undefined;
      const finish = (dropped: boolean) => {
        if (done) return;
        done = true;
        if (timer) Timer.clear(timer);
        stop?.();
        resolve(dropped);
      };
      timer = Timer.set(() => {
        timer = undefined;
        finish(false);
      }, Math.max(0, timeoutMs));
      try {
        stop = this.#watch(() => finish(true));
        // A watch that saw the drop at once has already finished: stop it now.
        if (done) stop();
      } catch {
        // A sensor that cannot be read reports no drop; waitForDrop never rejects.
        finish(false);
      }
    });
  }
}
