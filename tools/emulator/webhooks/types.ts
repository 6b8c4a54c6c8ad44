// The Webhooks part's public shapes (re-exported by ../types.ts and ../index.ts).

export interface WebhookRegistration {
  id: string;
  /** The Merchant-Serial-Number it was registered under: it gets that sales unit's events only. */
  msn: string;
  url: string;
  events: string[];
  /** The HMAC key of its deliveries, as the register answer gave it. */
  secret: string;
  /** Real time (epoch ms) of the registration. */
  createdAt: number;
}

export interface WebhookDeliveryOptions {
  /** An attempt with no answer after this long counts as failed (default 10 000 ms). */
  timeoutMs: number;
  /** The wait before the first retry; it doubles after every failed attempt (default 1000 ms). */
  retryInitialMs: number;
  /** The wait between retries never grows beyond this (default 60 000 ms). */
  retryMaxMs: number;
  /** Attempts of one delivery before it is given up and the next of its queue goes (default 10). */
  maxAttempts: number;
}

/** A delivery not yet answered 2xx nor given up, as a state file keeps it (in its queue's order). */
export interface SavedWebhookDelivery {
  registrationId: string;
  event: string;
  reference: string;
  body: string;
}

export type WebhookFaultKind = 'duplicate' | 'delay' | 'out-of-order' | 'drop' | 'drop-all' | 'bad-signature' | 'body-changed-after-signing';

export interface WebhookFaultSpec {
  kind: WebhookFaultKind;
  /** Only deliveries of this event ('epayments.payment.authorized.v1'); default any. */
  event?: string;
  /** Only deliveries for this payment reference; default any. */
  reference?: string;
  /** How many deliveries (attempts, for drop, bad-signature and body-changed-after-signing) get it: default 1, drop-all Infinity. */
  times?: number;
  /** For 'delay': how long the delivery waits (default 1000); for 'out-of-order': how long the first waits for a second (default 10 000). */
  delayMs?: number;
}

export interface ArmedWebhookFault extends WebhookFaultSpec {
  id: number;
  times: number;
  /** Deliveries (or attempts) that got it so far. */
  applied: number;
}

/** One attempt to deliver one event to one registration, as webhookDeliveries() lists them. */
export interface WebhookAttempt {
  registrationId: string;
  url: string;
  event: string;
  reference: string;
  /** Which delivery (numbered in order of the events, per emulator) this attempt belongs to. */
  delivery: number;
  /** 1 for the first attempt of a delivery, 2 for its first retry, ... (a duplicate counts on). */
  attempt: number;
  /** The receiver's status; absent when it did not answer. */
  status?: number;
  /** 'timeout', 'dropped', a connection error ('ECONNREFUSED'), 'closing'; absent with a status. */
  error?: string;
  /** The fault that shaped this attempt, if any. */
  fault?: WebhookFaultKind;
  /** Given up after this attempt (maxAttempts reached, or drop-all). */
  gaveUp?: boolean;
  /** Real time (epoch ms) the attempt was sent (or would have been). */
  at: number;
  /** The body as sent. */
  body: string;
}
