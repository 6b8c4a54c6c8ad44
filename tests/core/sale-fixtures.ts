// A whole machine for the controller tests, on the manual clock (so they run on XS too): the
// in-memory ePayment service behind the real client, the journal on a MemoryStore, pins that
// record their pulses, and a fixed PIN.
import { EpaymentClient } from 'epayment/client';
import type { HttpRequest, HttpResponse, HttpTransport } from 'epayment/http-transport';
import { MemoryStore } from 'journal/memory-store';
import type { InputPin, InputSpec, OutputPin, OutputSpec, Pins } from 'ports/io';
import type { Random } from 'ports/random';
import type { SecretStore } from 'ports/secrets';
import type { KeyValueStore } from 'ports/store';
import { VendingMachine, type MachineTiming } from 'app/sale/machine';
import { hashPin } from 'app/sale/service-mode';
import type { MachineView } from 'app/sale/view';
import { FakeService, RecordingLog, testConfig } from './epayment-fakes';
import { ManualClock } from '../support/manual-clock';

export const TEST_PIN = '246810';

export function testMachineConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    posId: 'test-vend-01',
    languages: ['nb', 'en'],
    currency: 'NOK',
    brand: 'Vipps',
    timeZoneOffsetMinutes: 60,
    qrTimeLimitSeconds: 600,
    idleTimeoutSeconds: 60,
    walkAwayTimeoutSeconds: 120,
    createDeadlineMs: 8000,
    operatorContact: 'Help: +47 22 00 00 00',
    catalog: [
      { id: 'water', names: { nb: 'Vann', en: 'Water' }, price: 2500, vatRate: 2500, stock: 3, soldOut: false, output: { pin: 26, pulseMs: 300, activeLow: false } },
      { id: 'cola', names: { nb: 'Cola', en: 'Cola' }, price: 4200, vatRate: 1500, soldOut: false, output: { pin: 27, pulseMs: 300, activeLow: true }, dropSensor: { pin: 35, timeoutMs: 2000, mode: 'edge', activeLow: true } },
    ],
    ...overrides,
  };
}

export interface Pulse { pin: number; durationMs: number; at: number }

/** A transport that goes silent for good once the machine has lost power: a dead machine sends nothing. */
export class MortalTransport implements HttpTransport {
  dead = false;
  constructor(private readonly service: FakeService) {}
  request(request: HttpRequest): Promise<HttpResponse> {
    if (this.dead) return new Promise(() => {});
    return this.service.request(request);
  }
}

export class FakePins implements Pins {
  readonly pulses: Pulse[] = [];
  /** Pins created, in order, with their level right after creation. */
  readonly created: { pin: number; activeLow: boolean }[] = [];
  /** Whether the next drop is seen, per sensor pin (default true). */
  readonly drops = new Map<number, boolean>();
  /** Sensor pins that read active (a product stuck in the beam): no change, so no drop is seen. */
  readonly stuck = new Set<number>();
  failPulse = false;

  constructor(private readonly clock: ManualClock) {}

  output(spec: OutputSpec): OutputPin {
    this.created.push({ pin: spec.pin, activeLow: spec.activeLow });
    return {
      pin: spec.pin,
      pulse: (durationMs: number) => new Promise<void>((resolve, reject) => {
        if (this.failPulse) {
          reject(new Error('output fault'));
          return;
        }
        this.pulses.push({ pin: spec.pin, durationMs, at: this.clock.now() });
        this.clock.setTimeout(resolve, durationMs);
      }),
    };
  }

  input(spec: InputSpec): InputPin {
    return {
      pin: spec.pin,
      isActive: () => this.stuck.has(spec.pin),
      waitForDrop: (timeoutMs: number) => new Promise<boolean>((resolve) => {
        const drop = !this.stuck.has(spec.pin) && (this.drops.get(spec.pin) ?? true);
        this.clock.setTimeout(() => resolve(drop), drop ? 100 : timeoutMs);
      }),
    };
  }
}

export class TestSecrets implements SecretStore {
  pin: string | undefined = hashPin(TEST_PIN, 'salt0001');
  credentials() { return testConfig().credentials; }
  baseUrl() { return 'https://api.example.test'; }
  pinHash() { return this.pin; }
  setPinHash(hash: string) { this.pin = hash; }
}

export class CountingRandom implements Random {
  private n = 0;
  uint32(): number {
    this.n = (Math.imul(this.n + 0x9e3779b9, 0x85ebca6b) >>> 0) ^ 0x27d4eb2d;
    return this.n >>> 0;
  }
}

export interface Rig {
  clock: ManualClock;
  service: FakeService;
  store: KeyValueStore;
  pins: FakePins;
  log: RecordingLog;
  machine: VendingMachine;
  secrets: TestSecrets;
  /** Every screen shown, in order (consecutive repeats folded). */
  screens: string[];
}

export const FAST_TIMING: Partial<MachineTiming> = {};

/** A started machine; pass `from` to boot another machine on the same store, service and clock (a reboot). */
export function rig(options: { config?: unknown; from?: Rig; store?: KeyValueStore; timing?: Partial<MachineTiming>; prepare?: (service: FakeService) => void } = {}): Rig {
  const clock = options.from?.clock ?? new ManualClock();
  const service = options.from?.service ?? new FakeService(clock);
  const store = options.store ?? options.from?.store ?? new MemoryStore();
  const pins = new FakePins(clock);
  const log = new RecordingLog();
  const secrets = options.from?.secrets ?? new TestSecrets();
  const client = new EpaymentClient(testConfig({ log }), service, clock);
  const machine = new VendingMachine({
    config: options.config ?? testMachineConfig(),
    api: client,
    store,
    clock,
    random: new CountingRandom(),
    pins,
    secrets,
    log,
    timing: options.timing ?? FAST_TIMING,
  });
  const screens: string[] = [];
  machine.onChange(() => {
    const screen = machine.view.sale.screen;
    if (screens[screens.length - 1] !== screen) screens.push(screen);
  });
  options.prepare?.(service);
  machine.start();
  return { clock, service, store, pins, log, machine, secrets, screens };
}

/** Lets timers and promise chains run until `screen` has been shown since the call (or the limit passes). */
export async function until(r: Rig, screen: MachineView['sale']['screen'], limitMs = 900_000, stepMs = 100): Promise<void> {
  const from = r.screens.length - 1;
  const seen = () => r.machine.view.sale.screen === screen || r.screens.indexOf(screen, Math.max(0, from)) >= 0;
  const end = r.clock.now() + limitMs;
  while (!seen() && r.clock.now() < end) await r.clock.advance(stepMs);
  if (!seen()) throw new Error(`screen ${screen} not shown within ${limitMs} ms; shown: ${r.screens.slice(Math.max(0, from)).join(' > ')}`);
}

/** Runs the clock until `done()` holds. */
export async function runUntil(r: Rig, done: () => boolean, limitMs = 900_000, stepMs = 100): Promise<void> {
  const end = r.clock.now() + limitMs;
  while (!done() && r.clock.now() < end) await r.clock.advance(stepMs);
  if (!done()) throw new Error(`condition not met within ${limitMs} ms (screen ${r.machine.view.sale.screen})`);
}

export function currentReference(r: Rig): string {
  const sale = r.machine.view.sale as { reference?: string };
  if (!sale.reference) throw new Error(`no reference on screen ${r.machine.view.sale.screen}`);
  return sale.reference;
}

export function payment(r: Rig, reference: string) {
  const p = r.service.payments.get(reference);
  if (!p) throw new Error(`no payment ${reference}`);
  return p;
}
