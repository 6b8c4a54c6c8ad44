// A ledger per currency, worked out from the payments' own event log whenever it is asked for:
// every CAPTURED event is a `capture` (plus its `capture-fee` in the fees ledger), every REFUNDED
// event a `refund`; at each ledger date's cut-off the day's fees are retained from the funds
// (`fees-retained` in both ledgers) and a positive balance is paid out (`payout-scheduled`). A
// negative balance is carried over, as the guide describes. Balances run over the whole history.
import type { PaymentRecord } from '../types';
import { captureFee } from './fee-model';
import { DAY_MS, ledgerDateOf, reportTime } from './ledger-dates';

export type Topic = 'funds' | 'fees';

/** One item of a funds or fees report, with the guide's field names. Amounts in minor units. */
export interface LedgerEntry {
  pspReference: string;
  time: string;
  ledgerDate: string;
  entryType: string;
  reference: string;
  currency: string;
  amount: number;
  balanceBefore: number;
  balanceAfter: number;
  recipientHandle?: string;
}

export interface TimedEntry {
  /** Emulator time the entry happened; it shows in the report from atMs + the report lag. */
  atMs: number;
  entry: LedgerEntry;
}

export interface Ledger {
  ledgerId: string;
  currency: string;
  funds: TimedEntry[];
  fees: TimedEntry[];
}

/** The first payout number of every ledger (the guide's examples count from 2000001). */
const FIRST_PAYOUT = 2_000_001;

/** The guide: "a direct correspondence between a sales unit's ID (MSN) and a ledger". One per currency here. */
export function ledgerIdFor(msn: string, currency: string): string {
  return currency === 'NOK' ? msn : `${msn}-${currency}`;
}

interface Move {
  atMs: number;
  kind: 'capture' | 'refund';
  value: number;
  pspReference: string;
  reference: string;
}

function movesOf(records: PaymentRecord[], currency: string): Move[] {
  const moves: Move[] = [];
  for (const record of records) {
    if (record.amount.currency !== currency) continue;
    for (const event of record.events) {
      if (!event.success || (event.name !== 'CAPTURED' && event.name !== 'REFUNDED')) continue;
      moves.push({ atMs: Date.parse(event.timestamp), kind: event.name === 'CAPTURED' ? 'capture' : 'refund', value: event.amount.value, pspReference: event.pspReference, reference: record.reference });
    }
  }
  // Stable: two events in the same millisecond keep the log's order.
  return moves.sort((a, b) => a.atMs - b.atMs);
}

class Account {
  balance = 0;
  readonly entries: TimedEntry[] = [];
  constructor(private readonly currency: string) {}

  post(atMs: number, ledgerDate: string, entryType: string, amount: number, pspReference: string, reference: string, recipientHandle?: string): void {
    const balanceBefore = this.balance;
    this.balance += amount;
    this.entries.push({
      atMs,
      entry: { pspReference, time: reportTime(atMs), ledgerDate, entryType, reference, currency: this.currency, amount, balanceBefore, balanceAfter: this.balance, ...(recipientHandle ? { recipientHandle } : {}) },
    });
  }
}

export function buildLedger(records: PaymentRecord[], msn: string, currency: string, nowMs: number): Ledger {
  const ledgerId = ledgerIdFor(msn, currency);
  const funds = new Account(currency);
  const fees = new Account(currency);
  const moves = movesOf(records, currency);
  const handle = `api:${msn}`;
  let payoutNumber = FIRST_PAYOUT;
  let next = 0;
  for (let dayStart = moves.length ? Math.floor(moves[0]!.atMs / DAY_MS) * DAY_MS : Infinity; dayStart <= nowMs; dayStart += DAY_MS) {
    const dayEnd = dayStart + DAY_MS;
    const date = ledgerDateOf(dayStart);
    let dayFees = 0;
    for (; next < moves.length && moves[next]!.atMs < dayEnd; next++) {
      const move = moves[next]!;
      if (move.kind === 'capture') {
        funds.post(move.atMs, date, 'capture', move.value, move.pspReference, move.reference, handle);
        const fee = captureFee(move.value, currency);
        fees.post(move.atMs, date, 'capture-fee', fee, move.pspReference, move.reference, handle);
        dayFees += fee;
      } else {
        funds.post(move.atMs, date, 'refund', -move.value, move.pspReference, move.reference, handle);
      }
    }
    // The cut-off: stamped at midnight, on the date it closes.
    if (dayEnd > nowMs) break;
    if (dayFees > 0) {
      funds.post(dayEnd, date, 'fees-retained', -dayFees, `fees-${ledgerId}-${date}`, `fees-${date}`);
      fees.post(dayEnd, date, 'fees-retained', -dayFees, `fees-${ledgerId}-${date}`, `fees-${date}`);
    }
    if (funds.balance > 0) {
      funds.post(dayEnd, date, 'payout-scheduled', -funds.balance, `payout-${ledgerId}-${date}`, String(payoutNumber));
      payoutNumber++;
    }
    if (next >= moves.length && funds.balance === 0 && fees.balance === 0) break;
  }
  return { ledgerId, currency, funds: funds.entries, fees: fees.entries };
}
