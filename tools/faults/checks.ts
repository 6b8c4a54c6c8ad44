// The money rules (design.md), checked on what a scenario left behind: the service's own records
// (the emulator's payments, aggregates and events), what physically came out of the machine, what
// the journal durably said, and every log line.
import type { QueueItem } from 'app/sale/journal';
import type { SalesLogEntry } from 'app/sale/view';
import type { PaymentRecord } from '../emulator/index';
import { TOKEN_RENEW_TIMEOUT_MS } from './scenarios';

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
  /** References another system's payment held from the start (the create-409 plans): never ours to touch. */
  foreign: Set<string>;
  /** Token-hang plan: ms from the tap to the create reaching the service (undefined: no create arrived). */
  tapToCreateMs?: number;
  /** Clock-late plan, per rebooted machine with something queued: when its clock was set, and its queue's calls. */
  clockSets: { machine: number; setAt: number; queueCalls: { at: number; refused: boolean }[] }[];
  /** The product's stock: as configured, and what the last machine's journal has left. */
  stock?: { configured: number; left: number };
  /** References whose release the flash recorded as begun, and as failed after that (unit given back). */
  releasesBegun?: Set<string>;
  givenBack?: Set<string>;
  /** The drop sensor read active (a product stuck in the beam) from the approval on. */
  sensorStuck?: boolean;
  /** The product's fault in the last machine's journal at the end. */
  productFault?: string;
  /** The journal's store was failing: the last machine must be out of service for it ('journal') and start no new sale. */
  storeFailing?: boolean;
  outOfService?: string;
  /** What start() threw (it must not: recovery goes on whatever the store does). */
  bootErrors?: string[];
  /** A sale tapped after the end (store failing, or sensor stuck) made a payment. */
  newSaleAfterEnd?: boolean;
}

/**
 * A create inside the token's renewal window goes out with the current token: on the one
 * connection it may wait behind an early renewal, but no longer than that renewal's short timeout.
 */
export const CREATE_PROMPT_MS = TOKEN_RENEW_TIMEOUT_MS + 400;
/** Once the clock is set, the queue's first call must leave within this. */
export const AFTER_CLOCK_SET_MS = 1000;

export function reservedOf(payment: PaymentRecord): number {
  const { authorizedAmount, capturedAmount, cancelledAmount } = payment.aggregate;
  return authorizedAmount.value - capturedAmount.value - cancelledAmount.value;
}

/**
 * Stock: configured minus what the journal has left = units whose release began and was not given
 * back; a paid unit and a unit that came out are always counted; never more than one per sale.
 */
function checkStock(facts: ScenarioFacts, stock: { configured: number; left: number }): string[] {
  const violations: string[] = [];
  const taken = stock.configured - stock.left;
  const paid = facts.payments.filter((payment) => payment.aggregate.capturedAmount.value > 0).length;
  const cameOut = facts.released.size;
  const pulsed = new Set(facts.pulses.filter((pulse) => pulse.machine === 1).map((pulse) => pulse.reference));
  const begun = new Set([...(facts.releasesBegun ?? []), ...pulsed]);
  const givenBack = [...(facts.givenBack ?? [])].filter((reference) => begun.has(reference)).length;
  if (taken < 0 || taken > facts.payments.length) violations.push(`stock: ${taken} units taken for ${facts.payments.length} sale(s)`);
  if (paid > taken) violations.push(`stock: ${paid} paid but ${taken} counted: a later customer pays for an empty slot`);
  if (cameOut > taken) violations.push(`stock: ${cameOut} came out but ${taken} counted`);
  if (taken > begun.size - givenBack) violations.push(`stock: ${taken} counted, but ${begun.size} release(s) began and ${givenBack} failed (given back)`);
  // With the store working the flash is the truth: exactly the releases it began and did not give back.
  if (!facts.storeFailing && taken !== begun.size - givenBack) violations.push(`stock: ${taken} counted, but the journal began ${begun.size} release(s) and gave ${givenBack} back`);
  return violations;
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
    if (facts.foreign.has(ref)) {
      const touched = payment.state === 'TERMINATED' || payment.aggregate.cancelledAmount.value > 0 || payment.aggregate.capturedAmount.value > 0 || payment.events.some((event) => event.name === 'CANCELLED' || event.name === 'CAPTURED');
      if (touched) violations.push(`${ref}: a payment another system owns was cancelled or captured (state ${payment.state})`);
      continue;
    }
    if (payment.state === 'CREATED' && !queued(ref) && facts.openSale !== ref) violations.push(`${ref}: left CREATED (payable) with nothing queued to settle it`);
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
  if (facts.tapToCreateMs !== undefined && facts.tapToCreateMs > CREATE_PROMPT_MS) violations.push(`the create reached the service ${facts.tapToCreateMs} ms after the tap: it waited for the token renewal`);
  for (const set of facts.clockSets) {
    const refused = set.queueCalls.filter((call) => call.refused).length;
    if (refused > 0) violations.push(`machine ${set.machine}: the queue tried ${refused} time(s) before the clock was set`);
    const first = set.queueCalls.find((call) => !call.refused);
    if (!first) violations.push(`machine ${set.machine}: nothing queued left after the clock was set`);
    else if (first.at - set.setAt > AFTER_CLOCK_SET_MS) violations.push(`machine ${set.machine}: the queue's first call left ${first.at - set.setAt} ms after the clock was set`);
  }
  if (facts.stock) violations.push(...checkStock(facts, facts.stock));
  if (facts.sensorStuck) {
    if (facts.pulses.length > 0) violations.push(`released ${facts.pulses.length} time(s) while the drop sensor read active`);
    if (facts.productFault !== 'sensor' && facts.ended && !facts.storeFailing) violations.push(`the drop sensor read active, yet after the next tap the product is not out of sale (fault ${facts.productFault ?? 'none'})`);
  }
  if (facts.storeFailing && facts.ended && facts.outOfService !== 'journal') violations.push(`the journal's store fails, yet the machine is ${facts.outOfService ? `out of service for ${facts.outOfService}` : 'in service'}`);
  for (const error of facts.bootErrors ?? []) violations.push(`start() threw ${error.slice(0, 120)}`);
  if (facts.newSaleAfterEnd) violations.push(facts.sensorStuck ? 'a new sale started with the drop sensor reading active' : 'a new sale started on a failing journal store');
  if (!facts.ended) violations.push('did not end: the queue was not settled or the machine not back in service in time');
  const leaks = new Set<string>();
  for (const line of facts.text) {
    for (const secret of facts.secrets) if (secret.length >= 8 && line.includes(secret)) leaks.add(line.split(secret).join('<secret>').slice(0, 160));
  }
  for (const line of leaks) violations.push(`a secret in a log line or the journal: ${line}`);
  return violations;
}
