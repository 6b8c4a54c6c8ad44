// The stock invariant, checked from the outside: for every stocked product, configured stock minus
// what the machine's journal has left equals the units released and not given back. Every pulse
// takes a unit (the journal takes it in the write before the pulse); a pulse whose drop sensor
// said "no drop" gives it back, unless a power cut may have come between (then either is right);
// a cut during a paid sale may also fall between that write and the pulse. And never more paid
// than stocked. Pure: the soak gathers the inputs.
import type { PulseRecord } from '../../hosts/node/desktop/machine-supervisor';
import { interrupted, type CutTimes, type Violation } from './money-rules';

export interface StockFacts {
  product: string;
  /** Configured units plus every restock the soak made. */
  stocked: number;
  /** Units left in the machine's journal (its /state). */
  left: number;
  /** Every pulse of the product's output. */
  pulses: readonly PulseRecord[];
  /** The product's payments captured (from the emulator's records). */
  paid: number;
  /** Power cuts during paid sales of this product: each may fall between the journal's take and the pulse. */
  cutsWhilePaying: number;
}

export function checkStock(facts: StockFacts, cuts: CutTimes): Violation[] {
  const violations: Violation[] = [];
  const add = (rule: string, detail: string) => violations.push({ reference: facts.product, rule, detail });
  const taken = facts.stocked - facts.left;
  const missed = facts.pulses.filter((pulse) => pulse.dropSeen === false);
  const surelyGivenBack = missed.filter((pulse) => !interrupted(pulse, cuts)).length;
  const least = facts.pulses.length - missed.length;
  const most = facts.pulses.length - surelyGivenBack + facts.cutsWhilePaying;
  if (taken < least || taken > most) add('stock-drift', `${taken} units counted for ${facts.pulses.length} releases (${missed.length} missed drops, ${facts.cutsWhilePaying} cuts while paying): expected ${least}-${most}`);
  if (facts.paid > taken) add('paid-more-than-counted', `${facts.paid} paid, ${taken} counted: a later customer pays for an empty slot`);
  if (facts.left < 0) add('stock-negative', `${facts.left} left`);
  return violations;
}
