// The receipt's tax, from a shelf price that includes VAT:
//   totalTaxAmount = round(price × rate / (10000 + rate)), half up; excluding tax = price − tax.
// 2500 at 2500 (25 %) gives 500 tax and 2000 excluding.
export function taxIncluded(price: number, rate: number): { tax: number; excludingTax: number } {
  // Integer arithmetic: half up is floor((2·price·rate + d) / 2d) with d = 10000 + rate.
  const d = 10_000 + rate;
  const tax = Math.floor((2 * price * rate + d) / (2 * d));
  return { tax, excludingTax: price - tax };
}
