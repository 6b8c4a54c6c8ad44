// Emulator time: real time plus an offset that only grows (until a reset). Tokens, the 10-minute payment expiry and
// the rate-limit windows all read this clock, so advancing it ages all of them together.
export class Clock {
  private offsetMs = 0;

  constructor(private readonly realNow: () => number = Date.now) {}

  now(): number {
    return this.realNow() + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  iso(ms: number = this.now()): string {
    return new Date(ms).toISOString();
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`cannot advance the clock by ${seconds} s`);
    this.offsetMs += seconds * 1000;
  }

  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  /** For reset and for reloading a saved state. */
  setOffsetMs(offsetMs: number): void {
    this.offsetMs = offsetMs;
  }

  get offset(): number {
    return this.offsetMs;
  }
}
