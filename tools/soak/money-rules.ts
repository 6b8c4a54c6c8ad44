// The money rules of design.md, checked from the outside: the emulator's records of each payment
// against what the machine's automation API reports (its pulses, its pending captures and cancels,
// its open sale). Pure: the soak gathers the inputs, this says what is wrong.
import type { PaymentRecord } from '../emulator/index';
import type { PulseRecord } from '../../hosts/node/desktop/machine-supervisor';

export interface MachineView {
  /** Pending items by reference ('capture' | 'cancel' | 'refund'). */
  pending: Map<string, string>;
  /** The sale the journal has open, if any (its settling is under way). */
  openSale?: string;
}

export interface Violation {
  reference: string;
  rule: string;
  detail: string;
}

/** Power cuts the soak made (times, ms since the epoch): a release they interrupt may end either way. */
export type CutTimes = readonly number[];

/** Time after a pulse ends within which a cut can still keep its release from being confirmed. */
const CONFIRM_WINDOW_MS = 1000;

function reserved(payment: PaymentRecord): number {
  const a = payment.aggregate;
  return a.authorizedAmount.value - a.capturedAmount.value - a.cancelledAmount.value;
}

export function interrupted(pulse: PulseRecord, cuts: CutTimes): boolean {
  const end = (pulse.endedAt ?? pulse.at + pulse.ms) + CONFIRM_WINDOW_MS;
  return pulse.endedAt === undefined || cuts.some((cut) => cut >= pulse.at - 50 && cut <= end);
}

/**
 * One payment's violations. `settled`: the machine has had its chance (idle, queue drained): then
 * anything open on the payment's side is a violation too, not only what the machine forgot.
 */
export function checkPayment(payment: PaymentRecord, pulses: readonly PulseRecord[], machine: MachineView, cuts: CutTimes, settled = false): Violation[] {
  const violations: Violation[] = [];
  const ref = payment.reference;
  const add = (rule: string, detail: string) => violations.push({ reference: ref, rule, detail });
  const mine = pulses.filter((pulse) => pulse.reference === ref);
  const captured = payment.aggregate.capturedAmount.value;
  const captures = payment.events.filter((event) => event.name === 'CAPTURED' && event.success).length;
  const pending = machine.pending.get(ref);
  const watched = pending !== undefined || machine.openSale === ref;

  // Rule 2: capture only after a release (and no capture after a release that was not confirmed).
  if (captured > 0 && mine.length === 0) add('capture-without-release', `captured ${captured} with no pulse of an output`);
  if (captured > 0 && mine.length > 0 && mine.every((pulse) => pulse.dropSeen === false)) add('capture-after-failed-release', 'captured though the drop sensor did not see the product');
  // Rule 3: one capture at most.
  if (captures > 1) add('double-capture', `${captures} captures`);
  if (captured > payment.amount.value) add('over-capture', `captured ${captured} of ${payment.amount.value}`);
  // Rule 3: no money left reserved with nothing queued to settle it.
  if (payment.state === 'AUTHORIZED' && reserved(payment) > 0 && (settled || !watched)) add('reserved-unsettled', `${reserved(payment)} reserved, ${watched ? 'still pending after the drain' : 'nothing pending'}`);
  // A payable QR nobody watches: a later approval would reserve money with nothing to settle it.
  if (payment.state === 'CREATED' && (settled || !watched)) add('created-unwatched', 'still payable, and the machine neither watches nor cancels it');
  // A confirmed release is followed by a capture (done or pending); a released product is never cancelled.
  const confirmed = mine.some((pulse) => pulse.dropSeen !== false && !interrupted(pulse, cuts));
  if (confirmed && captured === 0 && pending !== 'capture' && machine.openSale !== ref) add('release-not-captured', `released, but ${pending ? `a ${pending} is pending` : 'no capture is pending'} (state ${payment.state})`);
  return violations;
}
