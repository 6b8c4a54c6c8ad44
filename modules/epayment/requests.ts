// Request bodies, built from typed input and checked against the spec's limits before anything is
// sent: a request the service would refuse is an 'invalid-request' error here, with no network.
import { EpaymentError } from 'epayment/errors';
import type { Amount, CreatePaymentInput, Currency, OrderLineInput, ReceiptInput } from 'epayment/types';

const REFERENCE = (): RegExp => /^[a-zA-Z0-9-]{8,64}$/;
const MAX_AMOUNT = 65_000_000;
// WALLET payments take these; NOK has a minimum of 100 øre.
const WALLET_CURRENCIES: readonly Currency[] = ['NOK', 'DKK', 'EUR'];
const MIN_AMOUNT: Partial<Record<Currency, number>> = { NOK: 100 };

export function invalid(message: string): EpaymentError {
  return new EpaymentError('invalid-request', message);
}

export function checkReference(reference: string): void {
  if (typeof reference !== 'string' || !REFERENCE().test(reference)) throw invalid('reference must match ^[a-zA-Z0-9-]{8,64}$');
}

function isMinorUnits(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_AMOUNT;
}

/** For create: a WALLET currency and at least the currency's minimum. */
export function checkPaymentAmount(amount: Amount): Amount {
  if (!WALLET_CURRENCIES.includes(amount.currency)) throw invalid(`currency must be one of ${WALLET_CURRENCIES.join(', ')}`);
  const min = MIN_AMOUNT[amount.currency] ?? 1;
  if (!isMinorUnits(amount.value, min)) throw invalid(`amount must be an integer number of minor units from ${min} to ${MAX_AMOUNT}`);
  return { currency: amount.currency, value: amount.value };
}

/** For capture and refund: a positive integer amount. */
export function checkModificationAmount(amount: Amount): Amount {
  if (!WALLET_CURRENCIES.includes(amount.currency)) throw invalid(`currency must be one of ${WALLET_CURRENCIES.join(', ')}`);
  if (!isMinorUnits(amount.value, 1)) throw invalid(`amount must be an integer number of minor units from 1 to ${MAX_AMOUNT}`);
  return { currency: amount.currency, value: amount.value };
}

/**
 * The tax in a price that includes it: tax = round(price × rate / (10000 + rate)), half up, and
 * excluding tax = price − tax (2500 at 2500, 25 %, gives 500 and 2000). Integer arithmetic, so the
 * half-up rounding is exact: floor((2·price·rate + d) / 2d) with d = 10000 + rate.
 */
export function taxIncluded(price: number, rate: number): { tax: number; excludingTax: number } {
  const d = 10_000 + rate;
  const tax = Math.floor((2 * price * rate + d) / (2 * d));
  return { tax, excludingTax: price - tax };
}

/** An order line; its tax fields come from taxIncluded. */
export function orderLine(line: OrderLineInput): Record<string, unknown> {
  if (!isMinorUnits(line.totalAmount, 0)) throw invalid(`order line ${line.id}: totalAmount must be integer minor units`);
  if (!Number.isInteger(line.taxRate) || line.taxRate < 0 || line.taxRate > 10_000) throw invalid(`order line ${line.id}: taxRate must be 0-10000 (hundredths of a percent)`);
  if (!line.id || !line.name) throw invalid('order line: id and name are required');
  const { tax, excludingTax: excluding } = taxIncluded(line.totalAmount, line.taxRate);
  const body: Record<string, unknown> = {
    name: line.name,
    id: line.id,
    totalAmount: line.totalAmount,
    totalAmountExcludingTax: excluding,
    totalTaxAmount: tax,
    taxRate: line.taxRate,
  };
  if (line.quantity !== undefined) {
    if (!Number.isInteger(line.quantity) || line.quantity < 1) throw invalid(`order line ${line.id}: quantity must be a positive integer`);
    const unitPrice = line.unitPrice ?? Math.round(line.totalAmount / line.quantity);
    if (!isMinorUnits(unitPrice, 0)) throw invalid(`order line ${line.id}: unitPrice must be integer minor units`);
    body.unitInfo = { unitPrice, quantity: String(line.quantity), quantityUnit: 'PCS' };
  }
  return body;
}

function receipt(input: ReceiptInput, amount: Amount): Record<string, unknown> {
  if (input.orderLines.length === 0) throw invalid('receipt needs at least one order line');
  const orderLines = input.orderLines.map(orderLine);
  const sum = input.orderLines.reduce((total, line) => total + line.totalAmount, 0);
  if (sum !== amount.value) throw invalid(`receipt order lines add up to ${sum}, the amount is ${amount.value}`);
  const bottomLine: Record<string, unknown> = { currency: amount.currency };
  if (input.posId !== undefined) bottomLine.posId = input.posId;
  if (input.receiptNumber !== undefined) bottomLine.receiptNumber = input.receiptNumber;
  return { orderLines, bottomLine };
}

function metadata(input: Record<string, string>): Record<string, string> {
  const keys = Object.keys(input);
  if (keys.length > 5) throw invalid('metadata takes at most 5 pairs');
  for (const key of keys) {
    const value = input[key];
    if (key.length === 0 || key.length > 100 || typeof value !== 'string' || value.length > 500) throw invalid('metadata keys must be 1-100 and values at most 500 characters');
  }
  return { ...input };
}

/** CreatePaymentRequest for a QR sale with the customer at the machine. */
export function createPaymentBody(input: CreatePaymentInput): Record<string, unknown> {
  checkReference(input.reference);
  const amount = checkPaymentAmount(input.amount);
  const description = input.description;
  if (typeof description !== 'string' || description.length < 3 || description.length > 100) throw invalid('description must be 3-100 characters');
  const format = input.qrFormat ?? 'TEXT/TARGETURL';
  const qrFormat: Record<string, unknown> = { format };
  if (input.qrSize !== undefined) {
    if (format !== 'IMAGE/PNG' || !Number.isInteger(input.qrSize) || input.qrSize < 100 || input.qrSize > 2000) throw invalid('qrSize is for IMAGE/PNG only, 100-2000');
    qrFormat.size = input.qrSize;
  }
  const body: Record<string, unknown> = {
    amount,
    paymentMethod: { type: 'WALLET' },
    reference: input.reference,
    userFlow: 'QR',
    qrFormat,
    customerInteraction: 'CUSTOMER_PRESENT',
    paymentDescription: description,
  };
  if (input.receipt !== undefined) body.receipt = receipt(input.receipt, amount);
  if (input.minimumUserAge !== undefined) {
    if (!Number.isInteger(input.minimumUserAge) || input.minimumUserAge < 0 || input.minimumUserAge > 100) throw invalid('minimumUserAge must be 0-100');
    body.minimumUserAge = input.minimumUserAge;
  }
  if (input.metadata !== undefined) body.metadata = metadata(input.metadata);
  return body;
}
