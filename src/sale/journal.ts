// The machine's journal: what the sale in progress is about to do, the captures and cancels that
// still have to reach the service, the reference counter, stock, and the sales log. Everything
// that happens to money is written here BEFORE it is attempted, so that recovery after a power
// cut can finish it under the money rules.
//
// Records (journal/slot-record: two slots each, a cut write falls back to the write before it):
//   sale   {n: next counter, s?: the open sale and its phase}
//   queue  {n: next counter, q: pending captures, cancels and refunds}
//   stock  {c: units left per product, o: sold-out flags set in service mode}
//   log    the last 50 sales (journal/paged-log)
// The counter is in both sale and queue records, and the larger one wins, so losing the newest
// sale slot can never bring back a used counter.
import { PagedLog } from 'journal/paged-log';
import { encodeEnvelope } from 'journal/envelope';
import { SLOT_MARKER, SlotRecord } from 'journal/slot-record';
import { utf8Length } from 'journal/utf8-length';
import type { KeyValueStore } from 'ports/store';
import type { SaleOutcome, SalesLogEntry } from 'app/sale/view';

/**
 * Where an open sale stands; what recovery does with it:
 *   create    the create was (maybe) sent, nothing released              -> cancel
 *   release   the release began, not confirmed                           -> cancel (never capture)
 *   capture   the release is confirmed; capture is due                   -> capture
 *   cancel    a cancel is about to be sent                               -> cancel
 */
export type SalePhase = 'create' | 'release' | 'capture' | 'cancel';

export interface OpenSale {
  reference: string;
  product: string;
  amount: number;
  currency: string;
  phase: SalePhase;
  /** Wall time (epoch seconds) the sale began, for the log. */
  time: number;
}

export type QueueOperation = 'capture' | 'cancel' | 'refund';

export interface QueueItem {
  operation: QueueOperation;
  reference: string;
  amount: number;
  currency: string;
  product: string;
  /** Wall time (epoch seconds) of the sale; 0 when read back from the queue record (the log has it). */
  time: number;
  /** The service refuses the capture for now (6260) or its guarantee has passed: retried hourly, reported. */
  overdue: boolean;
}

/** The schema version of what this code writes; older records are read and upgraded. */
export const JOURNAL_VERSION = 1;
export const MAX_QUEUE = 20;
export const SLOT_BYTES = 1024;
export const LOG_CAPACITY = 50;

type SaleData = { n: number; s?: [string, string, number, string, SalePhase, number] };
/**
 * Compact, so 20 items fit in 1 KB even with 24-character posIds: operation as one letter, a
 * reference that starts with the record's posId stored as `~` + the rest ('~' is not a reference
 * character), the machine's currency once per record (an item in another one carries its own).
 * Product and time live in the sales log; the queue needs neither.
 */
type QueueEntry = [string, string, number, 0 | 1] | [string, string, number, 0 | 1, string];
type QueueData = { n: number; p: string; c: string; q: QueueEntry[] };
const OPERATION_LETTERS: Record<QueueOperation, string> = { capture: 'c', cancel: 'x', refund: 'r' };
const OPERATIONS_BY_LETTER: Record<string, QueueOperation> = { c: 'capture', x: 'cancel', r: 'refund' };
type StockData = { c: Record<string, number>; o: Record<string, 0 | 1> };
type LogData = [number, string, number, string, string];

// Short outcome codes keep the log small (it shares the flash with everything else).
const OUTCOME_CODES: Record<SaleOutcome, string> = {
  captured: 'C',
  'capture-pending': 'CP',
  'capture-overdue': 'CO',
  'capture-expired': 'CX',
  cancelled: 'X',
  'cancel-pending': 'XP',
  aborted: 'A',
  expired: 'E',
  terminated: 'T',
  failed: 'F',
  refunded: 'R',
  'test-fire': 'TF',
};
const OUTCOMES_BY_CODE: Record<string, SaleOutcome> = {};
for (const outcome of Object.keys(OUTCOME_CODES) as SaleOutcome[]) OUTCOMES_BY_CODE[OUTCOME_CODES[outcome]] = outcome;

export class SaleJournal {
  private readonly saleRecord: SlotRecord<SaleData>;
  private readonly queueRecord: SlotRecord<QueueData>;
  private readonly stockRecord: SlotRecord<StockData>;
  private readonly log: PagedLog<LogData>;
  private counter = 1;
  private sale: OpenSale | undefined;
  private items: QueueItem[] = [];
  private stockCounts: Record<string, number> = {};
  private soldOutFlags: Record<string, boolean> = {};

  /** The posId and currency the queue record abbreviates. */
  private readonly posId: string;
  private readonly currency: string;

  constructor(store: KeyValueStore, machine: { posId: string; currency: string } = { posId: '', currency: 'NOK' }) {
    this.posId = machine.posId;
    this.currency = machine.currency;
    this.saleRecord = new SlotRecord<SaleData>(store, 'sale', { version: JOURNAL_VERSION, maxBytes: SLOT_BYTES });
    this.queueRecord = new SlotRecord<QueueData>(store, 'queue', { version: JOURNAL_VERSION, maxBytes: SLOT_BYTES });
    this.stockRecord = new SlotRecord<StockData>(store, 'stock', { version: JOURNAL_VERSION, maxBytes: SLOT_BYTES });
    this.log = new PagedLog<LogData>(store, 'log', { version: JOURNAL_VERSION, pages: 10, entriesPerPage: 5, maxBytes: SLOT_BYTES });
    const sale = this.saleRecord.read()?.value;
    const queue = this.queueRecord.read()?.value;
    const stock = this.stockRecord.read()?.value;
    this.counter = Math.max(1, sale?.n ?? 1, queue?.n ?? 1);
    if (sale?.s) {
      const [reference, product, amount, currency, phase, time] = sale.s;
      this.sale = { reference, product, amount, currency, phase, time };
    }
    this.items = queue ? queue.q.map((entry) => this.readEntry(entry, queue)) : [];
    if (stock) {
      this.stockCounts = { ...stock.c };
      for (const id of Object.keys(stock.o)) this.soldOutFlags[id] = stock.o[id] === 1;
    }
  }

  /** store.set calls made so far (flash wear). */
  get writes(): number {
    return this.saleRecord.writes + this.queueRecord.writes + this.stockRecord.writes + this.log.writes;
  }

  get openSale(): OpenSale | undefined {
    return this.sale;
  }

  get queue(): readonly QueueItem[] {
    return this.items;
  }

  /** The next reference counter; `beginSale` persists its successor. */
  get nextCounter(): number {
    return this.counter;
  }

  /** Whether one more pending item fits in the queue record, worst case for `reference`. */
  queueHasRoom(reference: string): boolean {
    if (this.items.length >= MAX_QUEUE) return false;
    const worst: QueueItem = { operation: 'capture', reference, amount: 65_000_000, currency: 'NOK', product: 'x'.repeat(16), time: 9_999_999_999, overdue: true };
    // The largest sequence number a slot will ever carry stands in for the real one.
    return utf8Length(encodeEnvelope(SLOT_MARKER, JOURNAL_VERSION, 99_999_999, JSON.stringify(this.queueData([...this.items, worst])))) <= SLOT_BYTES;
  }

  /** Before create: the sale and the next counter, in one write. */
  beginSale(sale: OpenSale): void {
    this.counter++;
    this.writeSale(sale);
  }

  setPhase(phase: SalePhase): void {
    if (!this.sale) throw new Error('no open sale');
    this.writeSale({ ...this.sale, phase });
  }

  closeSale(): void {
    if (!this.sale) return;
    this.writeSale(undefined);
  }

  /** Adds a pending item (replacing one for the same reference and operation). */
  enqueue(item: QueueItem): void {
    const rest = this.items.filter((other) => !(other.reference === item.reference && other.operation === item.operation));
    this.writeQueue([...rest, item]);
  }

  /** Moves the open sale into the queue as `item`, then closes it: a cut in between leaves both, which recovery merges. */
  handOver(item: QueueItem): void {
    this.enqueue(item);
    this.closeSale();
  }

  dequeue(reference: string, operation: QueueOperation): void {
    const rest = this.items.filter((other) => !(other.reference === reference && other.operation === operation));
    if (rest.length !== this.items.length) this.writeQueue(rest);
  }

  markOverdue(reference: string): void {
    const item = this.items.find((other) => other.reference === reference && other.operation === 'capture');
    if (!item || item.overdue) return;
    this.writeQueue(this.items.map((other) => (other === item ? { ...other, overdue: true } : other)));
  }

  stockOf(product: string): number | undefined {
    return this.stockCounts[product];
  }

  /** Sold out or back on sale as set in service mode; undefined: as configured. */
  soldOutOverride(product: string): boolean | undefined {
    return this.soldOutFlags[product];
  }

  /** Sets stock counts and sold-out flags (service mode, or one unit sold). */
  writeStock(counts: Record<string, number>, soldOut: Record<string, boolean>): void {
    const o: Record<string, 0 | 1> = {};
    for (const id of Object.keys(soldOut)) o[id] = soldOut[id] ? 1 : 0;
    this.stockRecord.write({ c: counts, o });
    this.stockCounts = { ...counts };
    this.soldOutFlags = { ...soldOut };
  }

  get stockCountsSnapshot(): Record<string, number> {
    return { ...this.stockCounts };
  }

  get soldOutSnapshot(): Record<string, boolean> {
    return { ...this.soldOutFlags };
  }

  appendLog(entry: SalesLogEntry): void {
    this.log.append([entry.time, entry.product, entry.amount, entry.reference, OUTCOME_CODES[entry.outcome]]);
  }

  /** The newest log entry for `reference` gets another outcome (a queued capture that went through). */
  updateLog(reference: string, outcome: SaleOutcome): boolean {
    return this.log.update((entry) => entry[3] === reference, (entry) => [entry[0], entry[1], entry[2], entry[3], OUTCOME_CODES[outcome]]);
  }

  salesLog(): SalesLogEntry[] {
    return this.log.entries().map(([time, product, amount, reference, code]) => ({ time, product, amount, reference, outcome: OUTCOMES_BY_CODE[code] ?? 'failed' }));
  }

  private writeSale(sale: OpenSale | undefined): void {
    const data: SaleData = { n: this.counter };
    if (sale) data.s = [sale.reference, sale.product, sale.amount, sale.currency, sale.phase, sale.time];
    this.saleRecord.write(data);
    this.sale = sale;
  }

  private queueData(items: QueueItem[]): QueueData {
    const prefix = `${this.posId}-`;
    const q = items.map((i): QueueEntry => {
      const reference = this.posId && i.reference.startsWith(prefix) ? `~${i.reference.slice(prefix.length)}` : i.reference;
      const entry: QueueEntry = [OPERATION_LETTERS[i.operation], reference, i.amount, i.overdue ? 1 : 0];
      return i.currency === this.currency ? entry : [...entry, i.currency];
    });
    return { n: this.counter, p: this.posId, c: this.currency, q };
  }

  private readEntry(entry: QueueEntry, data: QueueData): QueueItem {
    const [letter, stored, amount, overdue, currency] = entry;
    const reference = stored.startsWith('~') ? `${data.p}-${stored.slice(1)}` : stored;
    return { operation: OPERATIONS_BY_LETTER[letter] ?? 'cancel', reference, amount, currency: currency ?? data.c, product: '', time: 0, overdue: overdue === 1 };
  }

  private writeQueue(items: QueueItem[]): void {
    this.queueRecord.write(this.queueData(items));
    this.items = items;
  }
}
