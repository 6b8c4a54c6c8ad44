// The simulator's stand-in for hosts/moddable/pins (the simulator has no GPIO): the same timing
// (hosts/moddable/pin-timing), with every level change traced in a stable format a test can parse:
//   pin <n> output <active-high|active-low> inactive    pin <n> input <edge|level>
//   pin <n> pulse <ms> ms                               pin <n> pulse done <elapsed> ms
//   pin <n> wait drop <timeout> ms                      pin <n> drop <yes|no> <elapsed> ms
// Whether a sensor reports a drop: `simDropMs` in mc/config ("none", or the delay in ms; default
// 50), changed at run time with setSimulatedDrop(); setSimulatedStuck() makes a sensor read active
// (a product stuck in the beam): it then reports no drop.
import config from 'mc/config';
import Time from 'time';
import Timer from 'timer';
import type { InputPin, InputSpec, OutputPin, OutputSpec, Pins } from 'ports/io';
import { DropWait, TimedOutput } from 'hosts/moddable/pin-timing';

/** Milliseconds after the wait starts at which a drop is seen; false: none is. */
export type SimulatedDrop = number | false;

function fromConfig(): SimulatedDrop {
  const configured = (config as Record<string, unknown>).simDropMs;
  if (configured === undefined) return 50;
  if (configured === 'none' || configured === false) return false;
  const ms = Number(configured);
  return Number.isFinite(ms) && ms >= 0 ? ms : 50;
}

let everyPin: SimulatedDrop | undefined;
const perPin = new Map<number, SimulatedDrop>();

const stuck = new Set<number>();

/** The sensor on `pin` reads active from now on (true) or inactive again (false). */
export function setSimulatedStuck(pin: number, active: boolean): void {
  if (active) stuck.add(pin);
  else stuck.delete(pin);
}

/** What the drop sensors report from now on: on `pin`, or on every pin without one given. */
export function setSimulatedDrop(drop: SimulatedDrop, pin?: number): void {
  if (pin === undefined) {
    everyPin = drop;
    perPin.clear();
  } else perPin.set(pin, drop);
}

function simulatedDrop(pin: number): SimulatedDrop {
  return perPin.get(pin) ?? everyPin ?? fromConfig();
}

function output(spec: OutputSpec): OutputPin {
  trace(`pin ${spec.pin} output ${spec.activeLow ? 'active-low' : 'active-high'} inactive\n`);
  let started: number | undefined;
  const timed = new TimedOutput(spec.pin, (active) => {
    if (active) started = Time.ticks;
    else if (started !== undefined) {
      trace(`pin ${spec.pin} pulse done ${Time.ticks - started} ms\n`);
      started = undefined;
    }
  });
  return {
    pin: spec.pin,
    pulse(durationMs: number) {
      trace(`pin ${spec.pin} pulse ${durationMs} ms\n`);
      return timed.pulse(durationMs);
    },
  };
}

function input(spec: InputSpec): InputPin {
  trace(`pin ${spec.pin} input ${spec.mode}\n`);
  const wait = new DropWait(spec.pin, (notify) => {
    const drop = simulatedDrop(spec.pin);
    if (drop === false || stuck.has(spec.pin)) return () => {};
    const timer = Timer.set(notify, drop);
    return () => Timer.clear(timer);
  }, () => stuck.has(spec.pin));
  return {
    pin: spec.pin,
    isActive: () => wait.isActive(),
    async waitForDrop(timeoutMs: number) {
      const started = Time.ticks;
      trace(`pin ${spec.pin} wait drop ${timeoutMs} ms\n`);
      const dropped = await wait.waitForDrop(timeoutMs);
      trace(`pin ${spec.pin} drop ${dropped ? 'yes' : 'no'} ${Time.ticks - started} ms\n`);
      return dropped;
    },
  };
}

export const pins: Pins = { output, input };

/** The device read-back of outputs (hosts/moddable/pins.ts): the stand-ins have nothing to read back. */
export const outputProblems: string[] = [];
