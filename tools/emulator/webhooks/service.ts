// The Webhooks part as one piece for emulator.ts: registrations, their API, the faults, and the
// deliveries of every event a payment's log gains.
import type { PaymentEventRecord, PaymentRecord } from '../types';
import { DEFAULT_DELIVERY_OPTIONS, WebhookDeliverer } from './deliveries';
import { EventWatcher } from './event-watcher';
import { WEBHOOK_EVENT_BY_LOG_NAME } from './events';
import { WebhookFaultPlan } from './faults';
import { WebhookRegistry } from './registrations';
import type { SavedWebhookDelivery, WebhookDeliveryOptions } from './types';
import { WebhooksApi } from './webhooks-api';

/** How often the service looks for events nobody's request produced (a payment expiring by itself). */
const LOOK_INTERVAL_MS = 1000;

export interface WebhookServiceOptions {
  /** The sales unit every payment of the emulator belongs to. */
  merchantSerialNumber: string;
  /** Every payment, swept (so that expiries are in their logs). */
  payments(): PaymentRecord[];
  delivery?: Partial<WebhookDeliveryOptions>;
  log(line: string): void;
}

export class WebhookService {
  readonly registry = new WebhookRegistry();
  readonly faults = new WebhookFaultPlan();
  readonly api = new WebhooksApi(this.registry, () => Date.now(), (id) => this.deliverer.forget(id));
  private readonly watcher = new EventWatcher();
  private readonly deliverer: WebhookDeliverer;
  private readonly looking: NodeJS.Timeout;

  constructor(private readonly options: WebhookServiceOptions) {
    this.deliverer = new WebhookDeliverer(this.faults, { ...DEFAULT_DELIVERY_OPTIONS, ...withoutUndefined(options.delivery ?? {}) }, (a) =>
      options.log(`webhook ${a.event} ${a.reference} -> ${a.url}: ${a.status ?? a.error} (attempt ${a.attempt}${a.fault ? `, fault ${a.fault}` : ''}${a.gaveUp ? ', given up' : ''})`),
    );
    this.looking = setInterval(() => this.notice(), LOOK_INTERVAL_MS);
    this.looking.unref();
  }

  /** Queues a delivery for every event the logs gained since the last look, to every registration that wants it. */
  notice(): void {
    const msn = this.options.merchantSerialNumber;
    for (const { record, event } of this.watcher.newEvents(this.options.payments())) {
      const name = WEBHOOK_EVENT_BY_LOG_NAME[event.name];
      for (const registration of this.registry.subscribers(msn, name)) {
        this.deliverer.enqueue(registration, name, record.reference, JSON.stringify(webhookBody(msn, record, event)));
      }
    }
  }

  /** After loading a state file: what its logs hold was delivered before the restart. */
  acknowledgeLoaded(): void {
    this.watcher.acknowledge(this.options.payments());
  }

  /** Deliveries not yet answered 2xx nor given up, for the state file (events seen first). */
  owed(): SavedWebhookDelivery[] {
    this.notice();
    return this.deliverer.owed();
  }

  /** After loading a state file: sends again what was owed when it was saved (to registrations that still exist). */
  resume(owed: SavedWebhookDelivery[] | undefined): void {
    for (const delivery of owed ?? []) {
      const registration = this.registry.get(delivery.registrationId);
      if (registration) this.deliverer.enqueue(registration, delivery.event, delivery.reference, delivery.body);
    }
  }

  attempts(): ReturnType<WebhookDeliverer['attempts']> {
    return this.deliverer.attempts();
  }

  reset(): void {
    this.registry.clear();
    this.faults.clear();
    this.deliverer.clear();
    this.watcher.clear();
  }

  async close(): Promise<void> {
    clearInterval(this.looking);
    await this.deliverer.close();
  }
}

/** The ePayment webhook body as the public guide documents it; idempotencyKey null where the event has none. */
export function webhookBody(msn: string, record: PaymentRecord, event: PaymentEventRecord): Record<string, unknown> {
  return {
    msn,
    reference: record.reference,
    pspReference: event.pspReference,
    name: event.name,
    amount: { currency: event.amount.currency, value: event.amount.value },
    timestamp: event.timestamp,
    idempotencyKey: event.idempotencyKey ?? null,
    success: event.success,
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
