// The world around the desktop machine, in the page's server: the power switch (a power cut is a
// kill -9 of the machine process, then a fresh boot from its journal), the network cable, the drop
// sensors' switches, and a mirror of the screen built from the frames the machine sends. It keeps
// what the page and the automation API show: the outputs' pulses with times, the machine's log,
// its last status.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { MachineConfig } from 'app/config/machine-config';
import type { Action, SalesLogEntry } from 'app/sale/view';
import { SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { Framebuffer } from '../framebuffer';
import type { ChildMessage, ChildState, MachineInit, ParentMessage } from './protocol';
import { pasteBox } from './screen-host';

const MACHINE_ENTRY = fileURLToPath(new URL('./machine-process.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = import.meta.resolve('tsx');
/** A crashed machine restarts after this, as a watchdog reset would. */
const CRASH_RESTART_MS = 1000;
const LOG_LINES = 300;
const PULSES_KEPT = 1000;

export type Power = 'on' | 'booting' | 'off';

export interface LogLine {
  at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** One pulse of an output: when it started, how long, for which payment, and what the sensor saw. */
export interface PulseRecord {
  product?: string;
  pin: number;
  at: number;
  ms: number;
  reference?: string;
  /** When the pin went inactive again; absent while active or when the power was cut mid-pulse. */
  endedAt?: number;
  /** The product's drop sensor's answer for this release (products with a sensor only). */
  dropSeen?: boolean;
}

export interface SupervisorOptions {
  init: Omit<MachineInit, 'network' | 'sensors'>;
  /** The validated configuration, for the names of pins; undefined when it is invalid. */
  config: MachineConfig | undefined;
  /** The machine process's environment (credentials and PIN come from it). */
  env?: NodeJS.ProcessEnv;
}

export class MachineSupervisor extends EventEmitter {
  /** The screen as the machine last drew it (black while the power is off). */
  readonly framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
  frameVersion = 0;
  power: Power = 'off';
  network = true;
  powerCuts = 0;
  boots = 0;
  crashes = 0;
  pid: number | undefined;
  bootedAt: number | undefined;
  state: ChildState | undefined;
  readonly sensors = new Map<number, boolean>();
  /** Sensor pins stuck active. */
  readonly stuckSensors = new Set<number>();
  readonly activeOutputs = new Set<number>();
  readonly pulses: PulseRecord[] = [];
  pulseCount = 0;
  readonly log: LogLine[] = [];

  private child: ChildProcess | undefined;
  private initSent = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private stopping = false;
  private bootTimer: NodeJS.Timeout | undefined;
  private readyWaiters: (() => void)[] = [];

  private readonly secrets: string[];

  constructor(private readonly options: SupervisorOptions) {
    super();
    const env = options.env ?? process.env;
    this.secrets = [env.EPAYMENT_CLIENT_SECRET, env.EPAYMENT_SUBSCRIPTION_KEY].filter((value): value is string => typeof value === 'string' && value.length >= 4);
    for (const product of options.config?.catalog ?? []) if (product.dropSensor) this.sensors.set(product.dropSensor.pin, true);
  }

  /** Switches the machine on; resolves once it has booted. */
  start(): Promise<void> {
    this.spawn();
    return this.ready();
  }

  /** Resolves when the machine is on (at once if it is). */
  ready(): Promise<void> {
    if (this.power === 'on') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Cuts the power now (kill -9: no cleanup, wherever the machine is) and switches it on again after `offMs`. */
  powerCycle(offMs = 500): void {
    if (this.stopping) return;
    clearTimeout(this.bootTimer);
    this.powerCuts++;
    this.cut('power cut');
    this.bootTimer = setTimeout(() => this.spawn(), offMs);
  }

  setNetwork(up: boolean): void {
    this.network = up;
    this.line('info', `[desktop] network ${up ? 'connected' : 'disconnected'}`);
    this.tell({ t: 'network', up });
    this.changed();
  }

  /** The pin of the product's drop sensor, if it has one. */
  sensorPinOf(product: string): number | undefined {
    return this.options.config?.catalog.find((p) => p.id === product)?.dropSensor?.pin;
  }

  setSensor(pin: number, drop: boolean, stuck = this.stuckSensors.has(pin)): void {
    this.sensors.set(pin, drop);
    if (stuck) this.stuckSensors.add(pin);
    else this.stuckSensors.delete(pin);
    this.tell({ t: 'sensor', pin, drop, stuck });
    this.changed();
  }

  touch(x: number, y: number, holdMs: number): Promise<Action | null> {
    return this.ask((id) => ({ t: 'touch', id, x, y, holdMs })) as Promise<Action | null>;
  }

  sales(): Promise<SalesLogEntry[]> {
    return this.ask((id) => ({ t: 'sales', id })) as Promise<SalesLogEntry[]>;
  }

  productOfOutput(pin: number): string | undefined {
    return this.options.config?.catalog.find((p) => p.output.pin === pin)?.id;
  }

  /** Switches off for good (Ctrl-C, the end of a test). */
  stop(): void {
    this.stopping = true;
    clearTimeout(this.bootTimer);
    this.cut('stopped');
  }

  private spawn(): void {
    if (this.stopping) return;
    this.power = 'booting';
    this.changed();
    const child = fork(MACHINE_ENTRY, [], {
      execArgv: ['--import', TSX],
      serialization: 'advanced',
      cwd: REPO_ROOT,
      env: this.options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    this.initSent = false;
    this.pid = child.pid;
    const lines = (level: 'info' | 'error') => (chunk: Buffer) => {
      for (const text of chunk.toString('utf8').split('\n')) if (text.trim()) this.line(level, `[machine process] ${text}`);
    };
    child.stdout!.on('data', lines('info'));
    child.stderr!.on('data', lines('error'));
    child.on('message', (message: ChildMessage) => {
      if (child === this.child) this.onMessage(message);
    });
    child.on('exit', (code, signal) => {
      if (child !== this.child) return;
      // Not killed by us: the program died; restart it, as the device's watchdog would.
      this.crashes++;
      this.line('error', `[desktop] machine process exited (${signal ?? `code ${code}`}); restarting`);
      this.cut('crash');
      this.bootTimer = setTimeout(() => this.spawn(), CRASH_RESTART_MS);
    });
  }

  /** The machine process listens: hand it the world as it is now. */
  private sendInit(): void {
    const init: MachineInit = { ...this.options.init, network: this.network, sensors: Object.fromEntries(this.sensors), stuck: [...this.stuckSensors] };
    this.initSent = true;
    this.child!.send({ t: 'init', init } satisfies ParentMessage);
  }

  private cut(why: string): void {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const { reject } of this.pending.values()) reject(new PowerOff());
    this.pending.clear();
    if (this.power !== 'off') this.line('warn', `[desktop] power off (${why})`);
    this.power = 'off';
    this.pid = undefined;
    this.state = undefined;
    // The pins lose their drive with the power; a pulse cut short has no end.
    this.activeOutputs.clear();
    this.framebuffer.fill(0x0000);
    this.frameVersion++;
    this.emit('frame', this.frameVersion);
    this.changed();
  }

  private onMessage(message: ChildMessage): void {
    switch (message.t) {
      case 'hello':
        this.sendInit();
        return;
      case 'ready':
        this.power = 'on';
        this.boots++;
        this.bootedAt = Date.now();
        this.line('info', `[desktop] machine booted (pid ${message.pid})`);
        for (const resolve of this.readyWaiters.splice(0)) resolve();
        this.changed();
        return;
      case 'frame':
        message.boxes.forEach((box, i) => pasteBox(this.framebuffer.bytes, this.framebuffer.width, box, message.pixels[i]!));
        this.frameVersion++;
        this.emit('frame', this.frameVersion);
        return;
      case 'state': {
        const { t: _t, ...state } = message;
        this.state = state;
        this.changed();
        return;
      }
      case 'log':
        this.line(message.level, message.message, message.at);
        return;
      case 'output':
        this.onOutput(message.pin, message.active, message.at, message.ms, message.reference);
        return;
      case 'drop': {
        const product = this.options.config?.catalog.find((p) => p.dropSensor?.pin === message.pin);
        const pulse = [...this.pulses].reverse().find((p) => p.product === product?.id);
        if (pulse && pulse.dropSeen === undefined) pulse.dropSeen = message.seen;
        this.changed();
        return;
      }
      case 'reply': {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        waiter?.resolve(message.value);
        return;
      }
    }
  }

  private onOutput(pin: number, active: boolean, at: number, ms: number, reference: string | undefined): void {
    if (active) {
      this.activeOutputs.add(pin);
      this.pulseCount++;
      const product = this.productOfOutput(pin);
      this.pulses.push({ pin, at, ms, ...(product ? { product } : {}), ...(reference ? { reference } : {}) });
      if (this.pulses.length > PULSES_KEPT) this.pulses.shift();
    } else {
      this.activeOutputs.delete(pin);
      const pulse = [...this.pulses].reverse().find((p) => p.pin === pin && p.endedAt === undefined);
      if (pulse) pulse.endedAt = at;
    }
    this.emit('output', { pin, active, at, ms, reference });
    this.changed();
  }

  private ask(message: (id: number) => ParentMessage): Promise<unknown> {
    if (this.power !== 'on' || !this.child) return Promise.reject(new PowerOff());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child!.send(message(id));
    });
  }

  private tell(message: ParentMessage): void {
    if (this.initSent && this.child?.connected) this.child.send(message);
  }

  private line(level: LogLine['level'], message: string, at = Date.now()): void {
    // The machine redacts its own lines; this catches whatever else it may print (a crash's stack).
    let clean = message;
    for (const secret of this.secrets) clean = clean.split(secret).join('***');
    const line = { at, level, message: clean };
    this.log.push(line);
    if (this.log.length > LOG_LINES) this.log.shift();
    this.emit('log', line);
  }

  private changed(): void {
    this.emit('state');
  }
}

export class PowerOff extends Error {
  constructor() {
    super('the machine is switched off');
  }
}
