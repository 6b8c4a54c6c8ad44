// The money rules (design.md), checked on what a scenario left behind: the service's own records
// (the emulator's payments, aggregates and events), what physically came out of the machine, what
// the journal durably said, and every log line.
import type { QueueItem } from 'app/sale/journal';
import type { SalesLogEntry } from 'app/sale/view';
import type { PaymentRecord } from '../emulator/index';

export interface ScenarioFacts {
  /** The scenario's payments as the service holds them at the end. */
  payments: PaymentRecord[];
  /** Pulses begun, per machine (1: the one that sold, 2 and on: rebooted after a cut). */
  pulses: { machine: number; reference: string | undefined; reservedAtPulse: number; state: string | undefined }[];
  /** References whose product physically came out (pulse done, drop seen, power on). */
  released: Set<string>;
  /** References whose release the journal durably confirmed. */
  confirmed: Set<string>;
  /** The last machine's journal at the end. */
  queue: readonly QueueItem[];
  openSale: string | undefined;
  salesLog: SalesLogEntry[];
  /** The last machine ran until its queue was settled and it was back in service. */
  ended: boolean;
  /** Every log line of both machines and their clients, and what the flash holds. */
  text: string[];
  /** The credentials' secrets and every access token the service saw. */
  secrets: string[];
}

export function reservedOf(payment: PaymentRecord): number {
  const { authorizedAmount, capturedAmount, cancelledAmount } = payment.aggregate;
  return authorizedAmount.value - capturedAmount.value - cancelledAmount.value;
}

export function checkScenario(facts: ScenarioFacts): string[] {
  const violations: string[] = [];
  const queued = (reference: string, operation?: QueueItem['operation']) => facts.queue.some((item) => item.reference === reference && (operation === undefined || item.operation === operation));
  for (const pulse of facts.pulses) {
    if (pulse.machine > 1) violations.push(`rebooted machine ${pulse.machine} released a product (${pulse.reference ?? 'no sale'})`);
    else if (pulse.state !== 'AUTHORIZED' || pulse.reservedAtPulse <= 0) violations.push(`released ${pulse.reference ?? '(no sale)'} while the service had ${pulse.state ?? 'no payment'} with ${pulse.reservedAtPulse} reserved`);
  }
  for (const payment of facts.payments) {
    const ref = payment.reference;
    const { capturedAmount, cancelledAmount } = payment.aggregate;
    const captures = payment.events.filter((event) => event.name === 'CAPTURED' && event.success).length;
    const confirmed = facts.confirmed.has(ref);
    const released = facts.released.has(ref);
    if (capturedAmount.value > 0 && !(confirmed && released)) {
      violations.push(`${ref}: captured ${capturedAmount.value} without a confirmed release (came out: ${released ? 'yes' : 'no'}, journal confirmed: ${confirmed ? 'yes' : 'no'})`);
    }
    if (capturedAmount.value > payment.amount.value || captures > 1) violations.push(`${ref}: captured twice (${captures} CAPTURED events, ${capturedAmount.value} of ${payment.amount.value})`);
    const reserved = reservedOf(payment);
    if (reserved > 0 && !queued(ref) && facts.openSale !== ref) violations.push(`${ref}: ${reserved} left reserved (state ${payment.state}) with nothing queued to settle it`);
    if (confirmed && capturedAmount.value < payment.amount.value && !queued(ref, 'capture') && !payment.cancelledAtDeadline) {
      violations.push(`${ref}: release confirmed but neither captured (${capturedAmount.value}) nor a capture pending`);
    }
    if (confirmed && cancelledAmount.value > 0 && !payment.cancelledAtDeadline) violations.push(`${ref}: cancelled ${cancelledAmount.value} after a confirmed release`);
  }
  if (!facts.ended) violations.push('did not end: the queue was not settled or the machine not back in service in time');
  const leaks = new Set<string>();
  for (const line of facts.text) {
    for (const secret of facts.secrets) if (secret.length >= 8 && line.includes(secret)) leaks.add(line.split(secret).join('<secret>').slice(0, 160));
  }
  for (const line of leaks) violations.push(`a secret in a log line or the journal: ${line}`);
  return violations;
}
