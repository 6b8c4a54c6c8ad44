// Webhook faults on purpose: which delivery, or which attempt, is duplicated, delayed, swapped,
// dropped or damaged. The plan only decides; deliveries.ts carries it out.
import { isWebhookEvent, WEBHOOK_EVENTS } from './events';
import type { ArmedWebhookFault, WebhookFaultKind, WebhookFaultSpec } from './types';

export const WEBHOOK_FAULT_KINDS: readonly WebhookFaultKind[] = ['duplicate', 'delay', 'out-of-order', 'drop', 'drop-all', 'bad-signature', 'body-changed-after-signing'];

/** Kinds decided once per attempt (a retry can go through clean); the others once per delivery. */
export const ATTEMPT_FAULT_KINDS: readonly WebhookFaultKind[] = ['drop', 'bad-signature', 'body-changed-after-signing'];

export class WebhookFaultError extends Error {}

export class WebhookFaultPlan {
  private faults: ArmedWebhookFault[] = [];
  private nextId = 1;

  add(spec: WebhookFaultSpec): ArmedWebhookFault {
    if (typeof spec !== 'object' || spec === null) throw new WebhookFaultError('a webhook fault is an object');
    if (!WEBHOOK_FAULT_KINDS.includes(spec.kind)) throw new WebhookFaultError(`unknown webhook fault kind ${String(spec.kind)}; one of ${WEBHOOK_FAULT_KINDS.join(', ')}`);
    if (spec.event !== undefined && !isWebhookEvent(spec.event)) throw new WebhookFaultError(`unknown event ${spec.event}; one of ${WEBHOOK_EVENTS.join(', ')}`);
    if (spec.reference !== undefined && typeof spec.reference !== 'string') throw new WebhookFaultError('reference must be a string');
    const times = spec.times ?? (spec.kind === 'drop-all' ? Infinity : 1);
    if (!(times >= 0)) throw new WebhookFaultError('times must be a number >= 0 (or Infinity)');
    if (spec.delayMs !== undefined && !(spec.delayMs >= 0 && Number.isFinite(spec.delayMs))) throw new WebhookFaultError('delayMs must be a finite number >= 0');
    const armed: ArmedWebhookFault = { ...spec, id: this.nextId++, times, applied: 0 };
    this.faults.push(armed);
    return armed;
  }

  /** The first armed fault of `kind` for this event and reference, counted as applied; undefined if none. */
  take(kind: WebhookFaultKind, event: string, reference: string): ArmedWebhookFault | undefined {
    const fault = this.faults.find((f) => f.kind === kind && f.applied < f.times && (f.event === undefined || f.event === event) && (f.reference === undefined || f.reference === reference));
    if (fault) fault.applied += 1;
    return fault;
  }

  /** One attempt gets at most one of the attempt kinds: the first armed that matches. */
  takeForAttempt(event: string, reference: string): ArmedWebhookFault | undefined {
    for (const kind of ATTEMPT_FAULT_KINDS) {
      const fault = this.take(kind, event, reference);
      if (fault) return fault;
    }
    return undefined;
  }

  list(): ArmedWebhookFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.faults = [];
  }
}
