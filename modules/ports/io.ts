/**
 * The machine's pins, as the core sees them. A host makes one Output per product pin and drives it
 * to its inactive level the moment it is created, before anything else at boot, so a reset never
 * releases a product. Pulses never block the event loop.
 */
export interface OutputPin {
  /** Which pin, as configured; for logs and the service screens. */
  readonly pin: number;
  /** Drives the pin active for `durationMs`, then inactive again; resolves when the pulse is over, rejects if the pin reports an error. */
  pulse(durationMs: number): Promise<void>;
}

/** A drop sensor: tells whether a product fell within a time limit after a release. */
export interface InputPin {
  readonly pin: number;
  /** The level now: true when active (something in the beam). The controller reads it before a release: a level sensor must read inactive. */
  isActive(): boolean;
  /**
   * Resolves true when the sensor sees a drop within `timeoutMs`, false when it does not. Only what
   * happens after the call counts: in 'edge' mode an edge, in 'level' mode a change to the active
   * level (a level already active when the wait starts is not a drop). Never rejects.
   */
  waitForDrop(timeoutMs: number): Promise<boolean>;
}

export interface OutputSpec {
  pin: number;
  /** Active level low instead of high. */
  activeLow: boolean;
}

export interface InputSpec {
  pin: number;
  /** 'edge': a falling or rising edge counts; 'level': the active level must be seen. */
  mode: 'edge' | 'level';
  activeLow: boolean;
}

/** Hosts hand the core their pins through this. */
export interface Pins {
  output(spec: OutputSpec): OutputPin;
  input(spec: InputSpec): InputPin;
}
