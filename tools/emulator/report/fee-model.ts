// The emulator's fee model (invented, documented in the README): per capture a percentage of the
// captured amount plus a fixed part, per currency; refunds cost nothing (as the guide says of the
// real service). Rounded half up to whole minor units.
export interface FeeRule {
  /** Hundredths of a percent: 175 = 1.75 %. */
  basisPoints: number;
  /** Minor units added to every capture's fee. */
  fixedMinor: number;
}

export const FEE_RULES: Readonly<Record<string, FeeRule>> = {
  NOK: { basisPoints: 175, fixedMinor: 100 },
  DKK: { basisPoints: 125, fixedMinor: 100 },
  EUR: { basisPoints: 130, fixedMinor: 10 },
};

/** The currencies that have a ledger: those the fee model knows. */
export const LEDGER_CURRENCIES = Object.keys(FEE_RULES);

export function captureFee(valueMinor: number, currency: string): number {
  const rule = FEE_RULES[currency];
  if (!rule) throw new RangeError(`no fee rule for ${currency}`);
  return Math.floor((valueMinor * rule.basisPoints) / 10_000 + 0.5) + rule.fixedMinor;
}
