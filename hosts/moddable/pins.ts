// The Pins port on ECMA-419 `embedded:io/digital` (the ESP32). An output is created at its inactive
// level: the SDK's Digital takes `activeLow` and `initialValue` and sets the level before it turns
// the pin into an output, so not even a glitch reaches the driver. Drop sensors: an active-low
// sensor (open collector, beam break) gets the internal pull-up, an active-high one the pull-down;
// GPIO 34-39 have neither and need an external resistor. 'edge' mode counts any change of level
// (the ISR delivers it to onReadable) while a wait is on; 'level' mode polls every LEVEL_POLL_MS
// and counts a change to the active level only: a level already active when the wait starts is a
// product in the beam, not a drop (the controller reads it before the pulse and stops the sale).
import Digital from 'embedded:io/digital';
import Timer from 'timer';
import type { InputPin, InputSpec, OutputPin, OutputSpec, Pins } from 'ports/io';
import { DropWait, TimedOutput } from 'hosts/moddable/pin-timing';
import { outputReadback } from 'hosts/moddable/output-readback';

export const LEVEL_POLL_MS = 5;

// Digital as used here; the npm typings lack activeLow and initialValue and type modes as unknown.
interface DigitalPin {
  read(): number;
  write(value: number): void;
}
interface DigitalOptions {
  pin: number;
  mode: number;
  activeLow: boolean;
  initialValue?: 0 | 1;
  edge?: number;
  onReadable?: () => void;
}
const DigitalIo = Digital as unknown as {
  new (options: DigitalOptions): DigitalPin;
  readonly Output: number;
  readonly InputPullUp: number;
  readonly InputPullDown: number;
  readonly Rising: number;
  readonly Falling: number;
};

function output(spec: OutputSpec): OutputPin {
  // Logical levels from here on: 1 is active whatever the wiring.
  const digital = new DigitalIo({ pin: spec.pin, mode: DigitalIo.Output, activeLow: spec.activeLow, initialValue: 0 });
  const made = new TimedOutput(spec.pin, (active) => digital.write(active ? 1 : 0));
  // Read back once, off, at boot (hosts/moddable/output-readback.ts says what a read proves).
  const problem = outputReadback(spec.pin, spec.activeLow, () => digital.read());
  if (problem) outputProblems.push(problem);
  return made;
}

/** What the boot-time read-back of the outputs found; main.ts logs each line at error level. */
export const outputProblems: string[] = [];

function input(spec: InputSpec): InputPin {
  const mode = spec.activeLow ? DigitalIo.InputPullUp : DigitalIo.InputPullDown;
  if (spec.mode === 'edge') {
    // The pin is watched from boot; edges count only while a wait is on.
    let seen: (() => void) | undefined;
    const watched = new DigitalIo({ pin: spec.pin, mode, activeLow: spec.activeLow, edge: DigitalIo.Rising | DigitalIo.Falling, onReadable: () => seen?.() });
    return new DropWait(spec.pin, (notify) => {
      seen = notify;
      return () => { seen = undefined; };
    }, () => watched.read() === 1);
  }
  const digital = new DigitalIo({ pin: spec.pin, mode, activeLow: spec.activeLow });
  return new DropWait(spec.pin, (notify) => {
    // Only a change counts: the level must have been seen inactive since the wait started.
    let inactiveSeen = digital.read() === 0;
    const poll = Timer.repeat(() => {
      if (digital.read() === 0) inactiveSeen = true;
      else if (inactiveSeen) notify();
    }, LEVEL_POLL_MS);
    return () => Timer.clear(poll);
  }, () => digital.read() === 1);
}

export const pins: Pins = { output, input };
