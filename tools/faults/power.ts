// A machine that can lose power: its journal store dies at a chosen write, and from that instant
// its API calls, its answers and its pins go silent (a dead machine sends nothing and hears
// nothing; requests already on the wire still reach the service, as they would).
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

export class MortalApi implements PaymentApi {
  constructor(private readonly inner: PaymentApi, private readonly power: Power) {}

  get baseUrl(): string {
    return this.inner.baseUrl;
  }

  warmUp(options?: CallOptions): Promise<void> {
    return this.power.guard(() => this.inner.warmUp(options));
  }

  tokenFreshForMs(): number {
    return this.inner.tokenFreshForMs();
  }

  createPayment(input: CreatePaymentInput, options?: CallOptions) {
    return this.power.guard(() => this.inner.createPayment(input, options));
  }

  getPayment(reference: string, options?: CallOptions) {
    return this.power.guard(() => this.inner.getPayment(reference, options));
  }

  capture(reference: string, amount: Amount, options?: CallOptions) {
    return this.power.guard(() => this.inner.capture(reference, amount, options));
  }

  cancel(reference: string, cancelOptions?: CancelOptions, options?: CallOptions) {
    return this.power.guard(() => this.inner.cancel(reference, cancelOptions, options));
  }

  refund(reference: string, amount: Amount, options?: CallOptions) {
    return this.power.guard(() => this.inner.refund(reference, amount, options));
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
        waitForDrop(timeoutMs) {
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
