// Virtual GPIO for the desktop machine: an output tells the world (the page's lamps) the moment it
// goes active and the moment it goes inactive again; a drop sensor sees the product fall unless its
// switch says otherwise, and one stuck active (a product in the beam) reads active and sees no
// drop at all. Outputs start inactive when created, as the device drives them at boot.
import type { Clock } from 'ports/clock';
import type { InputPin, InputSpec, OutputPin, OutputSpec, Pins } from 'ports/io';

/** How long after the release starts a product takes to fall past the sensor. */
export const DROP_FALL_MS = 150;

export interface PinEvents {
  output(pin: number, active: boolean, ms: number): void;
  drop(pin: number, seen: boolean): void;
}

export class VirtualPins implements Pins {
  /** Sensor switches by pin: false = the sensor does not see drops (a jammed chute, a dirty sensor). */
  private readonly switches = new Map<number, boolean>();
  private readonly active = new Set<number>();
  private readonly stuck = new Set<number>();

  constructor(private readonly clock: Clock, private readonly events: PinEvents, sensors: Record<number, boolean> = {}, stuck: number[] = []) {
    for (const [pin, drop] of Object.entries(sensors)) this.switches.set(Number(pin), drop);
    for (const pin of stuck) this.stuck.add(pin);
  }

  setSensor(pin: number, drop: boolean): void {
    this.switches.set(pin, drop);
  }

  setStuck(pin: number, stuck: boolean): void {
    if (stuck) this.stuck.add(pin);
    else this.stuck.delete(pin);
  }

  isActive(pin: number): boolean {
    return this.active.has(pin);
  }

  output(spec: OutputSpec): OutputPin {
    const { clock, events, active } = this;
    return {
      pin: spec.pin,
      pulse(durationMs: number): Promise<void> {
        if (active.has(spec.pin)) return Promise.reject(new Error(`output ${spec.pin} is already pulsing`));
        active.add(spec.pin);
        events.output(spec.pin, true, durationMs);
        return new Promise<void>((resolve) => {
          clock.setTimeout(() => {
            active.delete(spec.pin);
            events.output(spec.pin, false, durationMs);
            resolve();
          }, durationMs);
        });
      },
    };
  }

  input(spec: InputSpec): InputPin {
    const { clock, events, switches, stuck } = this;
    return {
      pin: spec.pin,
      isActive: () => stuck.has(spec.pin),
      waitForDrop(timeoutMs: number): Promise<boolean> {
        // Read when the wait begins: the switch describes this release. A stuck level never changes.
        const seen = !stuck.has(spec.pin) && (switches.get(spec.pin) ?? true);
        return new Promise<boolean>((resolve) => {
          clock.setTimeout(() => {
            events.drop(spec.pin, seen);
            resolve(seen);
          }, seen ? Math.min(DROP_FALL_MS, timeoutMs) : timeoutMs);
        });
      },
    };
  }
}
