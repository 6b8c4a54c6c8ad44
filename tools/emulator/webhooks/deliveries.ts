// Sends the deliveries: one queue per (registration, payment reference), strictly in order (the next
// only once the one before was answered 2xx or given up, as the service documents), each retried
// with exponential backoff on a non-2xx, a connection error or no answer. Real wall-time timers,
// not the emulator clock: a receiver's retries happen in its own time. Faults are applied here.
import { randomBytes } from 'node:crypto';
import type { WebhookFaultPlan } from './faults';
import { postWebhook, type SendOutcome } from './sender';
import { signWebhook } from './signer';
import type { SavedWebhookDelivery, WebhookAttempt, WebhookDeliveryOptions, WebhookFaultKind, WebhookRegistration } from './types';

export const DEFAULT_DELIVERY_OPTIONS: WebhookDeliveryOptions = { timeoutMs: 10_000, retryInitialMs: 1000, retryMaxMs: 60_000, maxAttempts: 10 };

const DEFAULT_DELAY_MS = 1000;
const DEFAULT_OUT_OF_ORDER_HOLD_MS = 10_000;

interface Delivery {
  number: number;
  registration: WebhookRegistration;
  event: string;
  reference: string;
  body: string;
  /** Set once it has been held back for an out-of-order fault, so that it is not held again. */
  held?: boolean;
}

interface Queue {
  items: Delivery[];
  /** Wakes a worker waiting for a second delivery (out-of-order). */
  wake?: () => void;
}

export class WebhookDeliverer {
  private queues = new Map<string, Queue>();
  private workers = new Set<Promise<void>>();
  private log: WebhookAttempt[] = [];
  private nextNumber = 1;
  private stop = new AbortController();
  /** Deleted registrations: their delivery under way stops retrying. */
  private readonly deleted = new Set<string>();

  constructor(
    private readonly faults: WebhookFaultPlan,
    private readonly options: WebhookDeliveryOptions,
    /** Told of every attempt as it ends (the command line logs them). */
    private readonly onAttempt: (attempt: WebhookAttempt) => void = () => {},
  ) {}

  enqueue(registration: WebhookRegistration, event: string, reference: string, body: string): void {
    if (this.stop.signal.aborted) return;
    // A registration that has events is not deleted (again): a fault may have taken a delete back.
    this.deleted.delete(registration.id);
    const key = `${registration.id} ${reference}`;
    let queue = this.queues.get(key);
    const delivery: Delivery = { number: this.nextNumber++, registration, event, reference, body };
    if (queue) {
      queue.items.push(delivery);
      queue.wake?.();
      return;
    }
    queue = { items: [delivery] };
    this.queues.set(key, queue);
    const worker = this.work(key, queue, this.stop.signal).finally(() => this.workers.delete(worker));
    this.workers.add(worker);
  }

  /** Every delivery still owed, the one under way first in its queue: what a restart must send. */
  owed(): SavedWebhookDelivery[] {
    return [...this.queues.values()].flatMap((queue) =>
      queue.items.map(({ registration, event, reference, body }) => ({ registrationId: registration.id, event, reference, body })),
    );
  }

  attempts(): WebhookAttempt[] {
    return this.log.map((attempt) => ({ ...attempt }));
  }

  /** A deleted registration gets nothing more: its queued deliveries go, the one under way ends with its attempt. */
  forget(registrationId: string): void {
    this.deleted.add(registrationId);
    for (const queue of this.queues.values()) {
      if (queue.items[0]?.registration.id === registrationId) queue.items.splice(1);
    }
  }

  /** Stops everything under way and forgets the log (reset). */
  clear(): void {
    this.stop.abort();
    this.stop = new AbortController();
    this.queues = new Map();
    this.log = [];
  }

  /** Stops every queue: timers cleared, connections destroyed; resolves when every worker has ended. */
  async close(): Promise<void> {
    this.stop.abort();
    await Promise.all([...this.workers]);
  }

  private async work(key: string, queue: Queue, signal: AbortSignal): Promise<void> {
    while (queue.items.length > 0 && !signal.aborted) {
      const delivery = queue.items[0]!;
      await this.deliver(delivery, queue, signal);
      const index = queue.items.indexOf(delivery);
      if (index >= 0) queue.items.splice(index, 1);
    }
    if (this.queues.get(key) === queue) this.queues.delete(key);
  }

  private async deliver(delivery: Delivery, queue: Queue, signal: AbortSignal): Promise<void> {
    const { event, reference } = delivery;
    if (this.faults.take('drop-all', event, reference)) {
      this.record(delivery, 1, { error: 'dropped' }, Date.now(), { fault: 'drop-all', gaveUp: true });
      return;
    }
    const delay = this.faults.take('delay', event, reference);
    if (delay) await wait(delay.delayMs ?? DEFAULT_DELAY_MS, signal);
    if (!delivery.held) {
      const swap = this.faults.take('out-of-order', event, reference);
      if (swap) {
        delivery.held = true;
        await this.waitForSecond(queue, swap.delayMs ?? DEFAULT_OUT_OF_ORDER_HOLD_MS, signal);
        // The next one goes first; this one is then delivered right after it, by the same worker.
        const second = queue.items[1];
        if (second) {
          queue.items[0] = second;
          queue.items[1] = delivery;
          await this.deliver(second, queue, signal);
          const index = queue.items.indexOf(second);
          if (index >= 0) queue.items.splice(index, 1);
        }
      }
    }
    const duplicate = this.faults.take('duplicate', event, reference);

    let backoff = this.options.retryInitialMs;
    for (let attempt = 1; !signal.aborted; attempt += 1) {
      const { outcome, headers, body, at, fault } = await this.attempt(delivery, signal);
      const succeeded = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
      const gaveUp = !succeeded && attempt >= this.options.maxAttempts;
      this.record(delivery, attempt, outcome, at, { ...(fault ? { fault } : {}), ...(gaveUp ? { gaveUp } : {}), body });
      if (succeeded) {
        // The same request once more, byte for byte, as a network-level duplicate would be.
        if (duplicate && !signal.aborted) {
          const again = Date.now();
          this.record(delivery, attempt + 1, await postWebhook(delivery.registration.url, headers, body, this.options.timeoutMs, signal), again, { fault: 'duplicate', body });
        }
        return;
      }
      if (gaveUp || signal.aborted) return;
      await wait(backoff, signal);
      if (this.deleted.has(delivery.registration.id)) return;
      backoff = Math.min(backoff * 2, this.options.retryMaxMs);
    }
  }

  private async attempt(delivery: Delivery, signal: AbortSignal): Promise<{ outcome: SendOutcome; headers: Record<string, string>; body: string; at: number; fault?: WebhookFaultKind }> {
    const { registration, event, reference } = delivery;
    const at = Date.now();
    const fault = this.faults.takeForAttempt(event, reference)?.kind;
    // A wrong signature: signed with another secret (the body hash stays right).
    const secret = fault === 'bad-signature' ? randomBytes(64).toString('base64') : registration.secret;
    const signed = signWebhook(secret, registration.url, delivery.body, new Date(at));
    const headers: Record<string, string> = { 'x-ms-date': signed['x-ms-date'], 'x-ms-content-sha256': signed['x-ms-content-sha256'], host: signed.host, Authorization: signed.authorization };
    const body = fault === 'body-changed-after-signing' ? tamper(delivery.body) : delivery.body;
    if (fault === 'drop') {
      // Never sent; the service sees no answer, so it waits as long as for one, then retries.
      await wait(this.options.timeoutMs, signal);
      return { outcome: { error: 'dropped' }, headers, body, at, fault };
    }
    const outcome = await postWebhook(registration.url, headers, body, this.options.timeoutMs, signal);
    return { outcome, headers, body, at, ...(fault ? { fault } : {}) };
  }

  private waitForSecond(queue: Queue, holdMs: number, signal: AbortSignal): Promise<void> {
    if (queue.items.length >= 2) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        queue.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, holdMs);
      signal.addEventListener('abort', done, { once: true });
      queue.wake = done;
    });
  }

  private record(delivery: Delivery, attempt: number, outcome: SendOutcome, at: number, extra: { fault?: WebhookFaultKind; gaveUp?: boolean; body?: string }): void {
    const recorded: WebhookAttempt = {
      registrationId: delivery.registration.id,
      url: delivery.registration.url,
      event: delivery.event,
      reference: delivery.reference,
      delivery: delivery.number,
      attempt,
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      ...(extra.fault ? { fault: extra.fault } : {}),
      ...(extra.gaveUp ? { gaveUp: true } : {}),
      at,
      body: extra.body ?? delivery.body,
    };
    this.log.push(recorded);
    this.onAttempt({ ...recorded });
  }
}

/** The body with its amount changed by one minor unit: still valid JSON, no longer what was signed. */
function tamper(body: string): string {
  const value = JSON.parse(body) as { amount?: { value: number } };
  if (value.amount) value.amount.value += 1;
  else return `${body} `;
  return JSON.stringify(value);
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
