// Amounts as people in the machine's market write them, the same in every language (the currency
// decides, not the customer's language): 25,00 kr (NOK), 25,00 kr. (DKK), 2,50 € (EUR). No Intl:
// the XS engine has none.
//
// Whole kroner keep their decimals ("25,00 kr", never "25,-"): the Vipps MobilePay app shows the
// amount as "25,00 kr", and the customer should see on the machine exactly what the app shows.
import type { MachineCurrency } from 'app/config/machine-config';

/** Between groups of thousands: the narrow no-break space (U+202F); drawing folds it to a space where the font lacks it. */
export const THOUSANDS_SEPARATOR = '\u202f';
/** Between the number and its unit, so that the two never part at a line break. */
export const UNIT_SEPARATOR = '\u00a0';

const UNITS: Record<MachineCurrency, string> = { NOK: 'kr', DKK: 'kr.', EUR: '€' };

/** `minorUnits` (øre, cents) as "1 490,00 kr" (grouped from 1 000 on, as the app shows it); negative amounts get a leading minus. */
export function formatMoney(minorUnits: number, currency: MachineCurrency): string {
  if (!Number.isSafeInteger(minorUnits)) throw new RangeError(`an amount must be a whole number of minor units, not ${minorUnits}`);
  const unit = UNITS[currency];
  if (unit === undefined) throw new RangeError(`unknown currency ${currency}`);
  const negative = minorUnits < 0;
  const absolute = negative ? -minorUnits : minorUnits;
  const cents = absolute % 100;
  return `${negative ? '-' : ''}${groupThousands(Math.floor(absolute / 100))},${cents < 10 ? '0' : ''}${cents}${UNIT_SEPARATOR}${unit}`;
}

function groupThousands(whole: number): string {
  const digits = String(whole);
  let grouped = '';
  let end = digits.length;
  for (let start = end - 3; start > 0; end = start, start -= 3) grouped = THOUSANDS_SEPARATOR + digits.slice(start, end) + grouped;
  return digits.slice(0, end) + grouped;
}
