// Who wants which events: the Webhooks API's registrations, per Merchant-Serial-Number, with the
// service's rules for a new one (known events, an https URL, at most 25 per event and MSN).
import { randomBytes, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { isWebhookEvent, WEBHOOK_EVENTS } from './events';
import type { WebhookRegistration } from './types';

/** "We support up to 25 webhook registrations per event per MSN." */
export const MAX_REGISTRATIONS_PER_EVENT = 25;

/** The only hosts the emulator lets a registration use plain http for (the real service never does). */
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/** A registration refused: the 400's field name and reason. */
export class RegistrationError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
  }
}

export class WebhookRegistry {
  private registrations: WebhookRegistration[] = [];

  register(msn: string, url: string, events: string[], now: number): WebhookRegistration {
    checkUrl(url);
    if (events.length === 0) throw new RegistrationError('events', 'At least one event is required.');
    for (const event of events) {
      if (!isWebhookEvent(event)) throw new RegistrationError('events', `Unknown event ${event}. Known events: ${WEBHOOK_EVENTS.join(', ')}.`);
    }
    const unique = [...new Set(events)];
    for (const event of unique) {
      const taken = this.registrations.filter((r) => r.msn === msn && r.events.includes(event)).length;
      if (taken >= MAX_REGISTRATIONS_PER_EVENT) {
        throw new RegistrationError('events', `At most ${MAX_REGISTRATIONS_PER_EVENT} webhooks can be registered for ${event} on this merchant serial number.`);
      }
    }
    // A secret like the service's: 64 random bytes, base64.
    const registration: WebhookRegistration = { id: randomUUID(), msn, url, events: unique, secret: randomBytes(64).toString('base64'), createdAt: now };
    this.registrations.push(registration);
    return registration;
  }

  list(msn?: string): WebhookRegistration[] {
    return this.registrations.filter((r) => msn === undefined || r.msn === msn).map((r) => structuredClone(r));
  }

  /** The registrations of `msn` that want `event`. */
  subscribers(msn: string, event: string): WebhookRegistration[] {
    return this.registrations.filter((r) => r.msn === msn && r.events.includes(event));
  }

  /** False when `msn` has no registration with that id. */
  delete(msn: string, id: string): boolean {
    const before = this.registrations.length;
    this.registrations = this.registrations.filter((r) => !(r.msn === msn && r.id === id));
    return this.registrations.length < before;
  }

  /** The registration itself (deliveries sign with it), or undefined. */
  get(id: string): WebhookRegistration | undefined {
    return this.registrations.find((r) => r.id === id);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  save(): WebhookRegistration[] {
    return structuredClone(this.registrations);
  }

  load(registrations: WebhookRegistration[] | undefined): void {
    this.registrations = structuredClone(registrations ?? []);
  }

  clear(): void {
    this.registrations = [];
  }
}

function checkUrl(url: string): void {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new RegistrationError('url', `${url} is not a URL.`);
  }
  if (target.protocol === 'https:') return;
  if (target.protocol === 'http:' && isLoopback(target.hostname)) return;
  throw new RegistrationError('url', target.protocol === 'http:' ? 'The URL must use HTTPS (the emulator allows http:// on loopback only).' : `The URL must use HTTPS, not ${target.protocol}`);
}

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || (isIP(hostname) === 4 && hostname.startsWith('127.'));
}
