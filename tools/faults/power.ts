// A machine that can lose power: its journal store dies at a chosen write, and from that instant
// its API calls, its answers and its pins go silent (a dead machine sends nothing and hears
// nothing; requests already on the wire still reach the service, as they would).
import { TransportError } from 'epayment/errors';
import type { Amount, CallOptions, CancelOptions, CreatePaymentInput } from 'epayment/types';
import type { InputPin, OutputPin, Pins } from 'ports/io';
import type { KeyValueStore } from 'ports/store';
import type { PaymentApi } from 'app/sale/payment-api';
import { PowerCut, PowerCutStore } from '../../tests/support/power-cut-store';

export class Power {
  private off = false;
  private readonly listeners: (() => void)[] = [];

  get alive(): boolean {
    return !this.off;
  }

  /** Called once, synchronously, when the power goes. */
  onCut(listener: () => void): void {
    this.listeners.push(listener);
  }

  cut(): void {
    if (this.off) return;
    this.off = true;
    for (const listener of this.listeners) listener();
  }

  /** Never settles once the power is gone: a dead machine hears no answer. */
  guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.off) return new Promise<T>(() => {});
    return call().then(
      (value) => (this.off ? new Promise<T>(() => {}) : value),
      (error: unknown) => (this.off ? new Promise<T>(() => {}) : Promise.reject(error)),
    );
  }
}

/** The journal's store: a PowerCutStore whose cut takes the whole machine down at once. */
export class CuttableStore implements KeyValueStore {
  readonly cuts: PowerCutStore;

  constructor(flash: KeyValueStore, private readonly power: Power) {
    this.cuts = new PowerCutStore(flash);
  }

  get(key: string): string | undefined {
    return this.guarded(() => this.cuts.get(key));
  }

  set(key: string, value: string): void {
    this.guarded(() => this.cuts.set(key, value));
  }

  delete(key: string): void {
    this.guarded(() => this.cuts.delete(key));
  }

  private guarded<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      if (error instanceof PowerCut) this.power.cut();
      throw error;
    }
  }
}

/** The settling calls (what the background queue sends), as opposed to the token and the create. */
const QUEUE_CALLS = new Set(['get', 'events', 'capture', 'cancel', 'refund']);

export class MortalApi implements PaymentApi {
  /** Until the clock is set no request can leave (TLS checks certificate dates): calls fail at once. */
  clockSet = true;
  /** Each call the machine made (real time), and whether it could leave. */
  readonly calls: { what: string; at: number; refused: boolean }[] = [];

  constructor(private readonly inner: PaymentApi, private readonly power: Power) {}

  /** The calls the background queue made. */
  queueCalls(): { at: number; refused: boolean }[] {
    return this.calls.filter((call) => QUEUE_CALLS.has(call.what));
  }

  private send<T>(what: string, call: () => Promise<T>): Promise<T> {
    const refused = !this.clockSet;
    if (this.power.alive) this.calls.push({ what, at: Date.now(), refused });
    if (refused) return this.power.guard(() => Promise.reject(new TransportError('network', `${what}: clock not set, no TLS`)));
    return this.power.guard(call);
  }

  get baseUrl(): string {
    return this.inner.baseUrl;
  }

  warmUp(options?: CallOptions): Promise<void> {
    return this.send('token', () => this.inner.warmUp(options));
  }

  tokenFreshForMs(): number {
    return this.inner.tokenFreshForMs();
  }

  createWindowMs(deadlineMs?: number): number {
    return this.inner.createWindowMs(deadlineMs);
  }

  createPayment(input: CreatePaymentInput, options?: CallOptions) {
    return this.send('create', () => this.inner.createPayment(input, options));
  }

  getPayment(reference: string, options?: CallOptions) {
    return this.send('get', () => this.inner.getPayment(reference, options));
  }

  getEvents(reference: string, options?: CallOptions) {
    return this.send('events', () => this.inner.getEvents(reference, options));
  }

  capture(reference: string, amount: Amount, options?: CallOptions) {
    return this.send('capture', () => this.inner.capture(reference, amount, options));
  }

  cancel(reference: string, cancelOptions?: CancelOptions, options?: CallOptions) {
    return this.send('cancel', () => this.inner.cancel(reference, cancelOptions, options));
  }

  refund(reference: string, amount: Amount, options?: CallOptions) {
    return this.send('refund', () => this.inner.refund(reference, amount, options));
  }
}

/** What the pins saw: every pulse begun, and the releases that physically completed. */
export interface PinRecord {
  /** Pulses begun, with the payment's reserved amount at that instant (from the service's record). */
  pulses: { reference: string | undefined; reservedAtPulse: number; state: string | undefined }[];
  /** References whose product fell out (pulse finished and the sensor saw the drop, power on). */
  released: Set<string>;
}

export interface PinOptions {
  power: Power;
  /** Whether the drop sensor sees the product fall. */
  drops: boolean;
  /**
   * The level sensor reads active from the start (a product stuck in the beam). Its wait then
   * answers "drop" at once, as a level sensor that is read without looking for a change does:
   * the controller must read the level first and not sell.
   */
  stuck?: () => boolean;
  /** The sale being released (the controller's screen), read at pulse time. */
  currentReference(): string | undefined;
  /** The service's reserved amount and state for a reference, at pulse time. */
  serviceView(reference: string): { reserved: number; state: string } | undefined;
  record: PinRecord;
}

const DROP_SEEN_AFTER_MS = 10;

/** Real-time pins: a pulse takes its time; the sensor answers after the fall or its timeout. */
export function mortalPins(options: PinOptions): Pins {
  const { power, record } = options;
  let pulsing: string | undefined;
  let pulseDone = false;
  return {
    output(spec): OutputPin {
      return {
        pin: spec.pin,
        pulse(durationMs) {
          if (!power.alive) return new Promise<void>(() => {});
          const reference = options.currentReference();
          const seen = reference === undefined ? undefined : options.serviceView(reference);
          record.pulses.push({ reference, reservedAtPulse: seen?.reserved ?? 0, state: seen?.state });
          pulsing = reference;
          pulseDone = false;
          return power.guard(() => new Promise<void>((resolve) => setTimeout(() => { pulseDone = true; resolve(); }, durationMs)));
        },
      };
    },
    input(spec): InputPin {
      return {
        pin: spec.pin,
        isActive: () => options.stuck?.() === true,
        waitForDrop(timeoutMs) {
          if (options.stuck?.()) return power.guard(() => Promise.resolve(true));
          const drops = options.drops;
          return power.guard(() => new Promise<boolean>((resolve) => {
            setTimeout(() => {
              // The product falls once the pulse has pushed it, and only with the power on.
              if (drops && power.alive && pulsing !== undefined) {
                const check = () => {
                  if (!power.alive) return;
                  if (pulseDone) {
                    record.released.add(pulsing!);
                    resolve(true);
                  } else setTimeout(check, 5);
                };
                check();
                return;
              }
              resolve(false);
            }, drops ? DROP_SEEN_AFTER_MS : timeoutMs);
          }));
        },
      };
    },
  };
}
