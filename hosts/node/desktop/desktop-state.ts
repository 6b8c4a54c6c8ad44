// What GET /state and the page's event stream report: the machine's own status (VendingMachine's
// status(), from the machine process) with the world around it (power, network, pins, log).
import type { MachineConfig } from 'app/config/machine-config';
import type { MachineStatus } from 'app/sale/machine';
import type { TouchTarget } from 'app/screens/display-list';
import type { PaymentOnScreen } from './protocol';
import type { LogLine, MachineSupervisor, Power, PulseRecord } from './machine-supervisor';

const PULSES_SHOWN = 100;
const LOG_SHOWN = 60;

export interface OutputState {
  product: string;
  name: string;
  pin: number;
  /** Lit: the pin is being pulsed right now. */
  active: boolean;
  pulses: number;
  lastPulse?: PulseRecord;
}

export interface SensorState {
  product: string;
  name: string;
  pin: number;
  /** false: the sensor will not see the next drops. */
  drop: boolean;
  /** true: the sensor reads active (a product stuck in the beam). */
  stuck: boolean;
}

export interface EmulatorInfo {
  baseUrl: string;
  testerPage: string;
}

export type DesktopState = Partial<Omit<MachineStatus, 'state'>> & {
  /** The screen the machine shows, or 'off' while the power is off or it is booting. */
  state: MachineStatus['state'] | 'off';
  inService: boolean;
  power: Power;
  network: boolean;
  boots: number;
  powerCuts: number;
  crashes: number;
  payment?: PaymentOnScreen;
  /** Where a touch does what on the screen now: box and action of every touch target. */
  targets: readonly TouchTarget[];
  outputs: OutputState[];
  sensors: SensorState[];
  /** The last pulses, oldest first, with the reference on screen when each began. */
  pulses: PulseRecord[];
  pulseCount: number;
  log: LogLine[];
  machine: { pid?: number; rssBytes?: number; bootedAt?: number };
  emulator?: EmulatorInfo;
  timings: { tapToQrMs?: number };
  frame: number;
};

export function productName(config: MachineConfig | undefined, id: string): string {
  const product = config?.catalog.find((p) => p.id === id);
  return (product && (product.names[config!.languages[0]!] ?? Object.values(product.names)[0])) ?? id;
}

export function desktopState(supervisor: MachineSupervisor, config: MachineConfig | undefined, emulator: EmulatorInfo | undefined): DesktopState {
  const child = supervisor.state;
  const on = supervisor.power === 'on' && child !== undefined;
  const outputs: OutputState[] = (config?.catalog ?? []).map((product) => {
    const pin = product.output.pin;
    const mine = supervisor.pulses.filter((pulse) => pulse.pin === pin);
    const output: OutputState = { product: product.id, name: productName(config, product.id), pin, active: supervisor.activeOutputs.has(pin), pulses: mine.length };
    if (mine.length > 0) output.lastPulse = mine[mine.length - 1]!;
    return output;
  });
  const sensors: SensorState[] = (config?.catalog ?? []).flatMap((product) => product.dropSensor
    ? [{ product: product.id, name: productName(config, product.id), pin: product.dropSensor.pin, drop: supervisor.sensors.get(product.dropSensor.pin) ?? true, stuck: supervisor.stuckSensors.has(product.dropSensor.pin) }]
    : []);
  const state: DesktopState = {
    ...(on ? child.status : {}),
    state: on ? child.status.state : 'off',
    inService: on ? child.status.inService : false,
    power: supervisor.power,
    targets: on ? child.targets : [],
    network: supervisor.network,
    boots: supervisor.boots,
    powerCuts: supervisor.powerCuts,
    crashes: supervisor.crashes,
    outputs,
    sensors,
    pulses: supervisor.pulses.slice(-PULSES_SHOWN),
    pulseCount: supervisor.pulseCount,
    log: supervisor.log.slice(-LOG_SHOWN),
    machine: { ...(supervisor.pid ? { pid: supervisor.pid } : {}), ...(child ? { rssBytes: child.rssBytes } : {}), ...(supervisor.bootedAt ? { bootedAt: supervisor.bootedAt } : {}) },
    timings: child?.tapToQrMs === undefined ? {} : { tapToQrMs: child.tapToQrMs },
    frame: supervisor.frameVersion,
  };
  if (on && child.payment) state.payment = child.payment;
  if (emulator) state.emulator = emulator;
  return state;
}
