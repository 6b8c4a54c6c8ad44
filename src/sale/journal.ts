// The machine's journal: what the sale in progress is about to do, the captures and cancels that
// still have to reach the service, the reference counter, stock, and the sales log. Everything
// that happens to money is written here BEFORE it is attempted, so that recovery after a power
// cut can finish it under the money rules.
//
// Records (journal/slot-record: two slots each, a cut write falls back to the write before it):
//   sale   {n: next counter, s?: the open sale, its phase and whether it took a unit of stock}
//   queue  {n: next counter, q: pending captures, cancels and refunds}
//   stock  {c: units left per product, o: sold-out flags set in service mode (2: a product fault),
//           a?: the reference of the last sale whose unit is counted in c}
//   log    the last 50 sales (journal/paged-log), each with the sequence number of its last change
//   fleet  {a: the newest sale event the fleet server acknowledged, s: the newest given out,
//          l: sale events pushed out of the log before the fleet acknowledged them}
// The counter is in both sale and queue records, and the larger one wins, so losing the newest
// sale slot can never bring back a used counter.
//
// Stock: the write that marks the release (phase 'release') also says the sale takes a unit, so
// no cut can separate the two; a release known to have failed gives it back in the next sale
// write. Closing the sale moves the unit into the stock record first, marked with the sale's
// reference, so doing it again after a cut (recovery) never counts it twice.
//
// A store that fails (NVS full, a flash fault) never stops the machine: every change is made in
// memory first, then written; a failed write or read is kept in `failure` (the machine goes out of
// service) and the record is rewritten from memory by `retry()`. A record that could not be read
// is never written over until it has been read.
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
  /** The release took one unit of the product's stock (written with phase 'release'). */
  takesUnit?: boolean;
}

export type QueueOperation = 'capture' | 'cancel' | 'refund';

export interface QueueItem {
  operation: QueueOperation;
  reference: string;
  amount: number;
  currency: string;
  product: string;
  /**
   * Wall time (epoch seconds) the sale began: when its money was first at stake. Persisted with
   * the item: a cancel's create may land until this plus the create's window, and a capture is
   * late 24 h after it. 0 in a record written before it was kept (unknown).
   */
  time: number;
  /** The service refuses the capture for now (6260) or its guarantee has passed: retried hourly, reported. */
  overdue: boolean;
}

/**
 * The schema version of what this code writes; older records are read and upgraded. 2: the open
 * sale's 7th field (takes a unit), the stock record's `a` and sold-out flag 2 (a fault). A version 1 open sale takes
 * no unit: that firmware counted stock in a write of its own.
 */
export const JOURNAL_VERSION = 2;
export const MAX_QUEUE = 20;
export const SLOT_BYTES = 1024;
export const LOG_CAPACITY = 50;

type SaleData = { n: number; s?: [string, string, number, string, SalePhase, number] | [string, string, number, string, SalePhase, number, 0 | 1] };
/**
 * Compact, so 20 items fit in 1 KB even with 24-character posIds: operation as one letter, a
 * reference that starts with the record's posId stored as `~` + the rest ('~' is not a reference
 * character), the machine's currency once per record (an item in another one carries its own).
 * The product lives in the sales log. The sale's time (epoch seconds) is the fifth element; records
 * from before it was kept have a currency string there, or nothing.
 */
type QueueEntry = [string, string, number, 0 | 1] | [string, string, number, 0 | 1, string] | [string, string, number, 0 | 1, number] | [string, string, number, 0 | 1, number, string];
type QueueData = { n: number; p: string; c: string; q: QueueEntry[] };
const OPERATION_LETTERS: Record<QueueOperation, string> = { capture: 'c', cancel: 'x', refund: 'r' };
const OPERATIONS_BY_LETTER: Record<string, QueueOperation> = { c: 'capture', x: 'cancel', r: 'refund' };
/** `o`: 0 back on sale, 1 sold out (service mode), 2 out of sale for a fault until the operator clears it. */
type StockData = { c: Record<string, number>; o: Record<string, 0 | 1 | 2>; a?: string };
/** Why a product is out of sale until the operator clears it: its drop sensor reads active when it must not. */
export type ProductFault = 'sensor';
type RecordName = 'sale' | 'queue' | 'stock' | 'log' | 'fleet';

/** What one sale may write at most, in store bytes (a slot of the sale, queue and stock records and a log page): checked against the store's free space. */
export const SALE_NEEDS_BYTES = 4 * SLOT_BYTES;
/** time, product, amount, reference, outcome code, and the sequence number of the entry's last change (absent before the fleet link). */
type LogData = [number, string, number, string, string] | [number, string, number, string, string, number];
type FleetData = { a: number; s: number; l?: number };
export const FLEET_SLOT_BYTES = 128;

/** A sales-log entry as the fleet link reports it: each change of an entry has the next sequence number. */
export interface SaleEvent extends SalesLogEntry {
  seq: number;
  repeat?: true;
}

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

export interface JournalMachine {
  posId: string;
  currency: string;
  /** Configured units per product, for products whose stock is counted. */
  stock?: Record<string, number>;
}

export class SaleJournal {
  private readonly store: KeyValueStore;
  private readonly saleRecord: SlotRecord<SaleData>;
  private readonly queueRecord: SlotRecord<QueueData>;
  private readonly stockRecord: SlotRecord<StockData>;
  private readonly log: PagedLog<LogData>;
  private readonly fleetRecord: SlotRecord<FleetData>;
  /** The newest sale event's sequence number; undefined until the log and the fleet record were read. */
  private newestSeq: number | undefined;
  private acked: number | undefined;
  private lost: number | undefined;
  private counter = 1;
  private sale: OpenSale | undefined;
  private items: QueueItem[] = [];
  private stockCounts: Record<string, number> = {};
  private soldOutFlags: Record<string, boolean> = {};
  private faults: Record<string, ProductFault> = {};
  /** The sale whose unit the stock record already counts. */
  private applied: string | undefined;
  private readonly configuredStock: Record<string, number>;
  /** Records whose newest change is only in memory, and records not read yet (never written over). */
  private readonly dirty = new Set<RecordName>();
  private readonly unread = new Set<RecordName>();
  private lastFailure: string | undefined;

  /** The posId and currency the queue record abbreviates. */
  private readonly posId: string;
  private readonly currency: string;

  constructor(store: KeyValueStore, machine: JournalMachine = { posId: '', currency: 'NOK' }) {
    this.store = store;
    this.posId = machine.posId;
    this.currency = machine.currency;
    this.configuredStock = { ...machine.stock };
    this.saleRecord = new SlotRecord<SaleData>(store, 'sale', { version: JOURNAL_VERSION, maxBytes: SLOT_BYTES });
    this.queueRecord = new SlotRecord<QueueData>(store, 'queue', { version: JOURNAL_VERSION, maxBytes: SLOT_BYTES });
    this.stockRecord = new SlotRecord<StockData>(store, 'stock', { version: JOURNAL_VERSION, maxBytes: SLOT_BYTES });
    this.log = new PagedLog<LogData>(store, 'log', { version: JOURNAL_VERSION, pages: 10, entriesPerPage: 5, maxBytes: SLOT_BYTES });
    this.fleetRecord = new SlotRecord<FleetData>(store, 'fleet', { version: JOURNAL_VERSION, maxBytes: FLEET_SLOT_BYTES });
    for (const name of ['sale', 'queue', 'stock'] as const) this.unread.add(name);
    this.readRecords();
  }

  /** store.set calls made so far (flash wear). */
  get writes(): number {
    return this.saleRecord.writes + this.queueRecord.writes + this.stockRecord.writes + this.log.writes + this.fleetRecord.writes;
  }

  /** The store's last error (a write or read that failed), until `retry()` has written everything again. */
  get failure(): string | undefined {
    return this.lastFailure;
  }

  /** Whether every money record was read: until then the machine must not sell (the counter and the open sale are unknown). */
  get readAll(): boolean {
    return this.unread.size === 0;
  }

  /**
   * Reads what could not be read and rewrites what could not be written, from memory. True when the
   * journal is whole again. Reading a record for the first time may bring an open sale or queued
   * items to light: the caller recovers them.
   */
  retry(): boolean {
    this.readRecords();
    for (const name of [...this.dirty]) {
      if (this.unread.has(name)) continue;
      if (name === 'sale') this.attempt('sale', () => this.saleRecord.write(this.saleData(this.sale)));
      else if (name === 'queue') this.attempt('queue', () => this.queueRecord.write(this.queueData(this.items)));
      else if (name === 'stock') this.attempt('stock', () => this.stockRecord.write(this.stockData()));
      else if (name === 'fleet') this.writeFleetRecord();
      else this.dirty.delete('log'); // a lost log entry is not money; the next append goes on
    }
    if (this.dirty.size === 0 && this.unread.size === 0) this.lastFailure = undefined;
    return this.lastFailure === undefined;
  }

  /** Free bytes in the store, where the store can tell; undefined otherwise. */
  freeBytes(): number | undefined {
    try {
      return this.store.freeBytes?.();
    } catch {
      return undefined;
    }
  }

  /** Whether the store can take one more sale's writes (unknown free space counts as room). */
  hasRoomForSale(): boolean {
    const free = this.freeBytes();
    if (free === undefined || free >= SALE_NEEDS_BYTES) return true;
    this.lastFailure = `store full: ${free} bytes free, a sale needs ${SALE_NEEDS_BYTES}`;
    return false;
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

  /** Before create: the sale and the next counter, in one write. False when it did not reach the store. */
  beginSale(sale: OpenSale): boolean {
    this.counter++;
    return this.writeSale(sale);
  }

  /**
   * The open sale's next phase; `takesUnit` changes whether its release holds a unit of stock
   * (true with phase 'release' for a counted product, false when the release is known to have
   * failed). False when the write did not reach the store.
   */
  setPhase(phase: SalePhase, takesUnit?: boolean): boolean {
    if (!this.sale) throw new Error('no open sale');
    const next: OpenSale = { ...this.sale, phase };
    if (takesUnit === true) next.takesUnit = true;
    else if (takesUnit === false) delete next.takesUnit;
    return this.writeSale(next);
  }

  /** Counts the open sale's unit in the stock record (once: a second call, after a cut, finds it counted), then closes the sale. */
  closeSale(): void {
    const sale = this.sale;
    if (!sale) return;
    if (sale.takesUnit && this.applied !== sale.reference && this.baseStock(sale.product) !== undefined) {
      this.stockCounts = { ...this.stockCounts, [sale.product]: Math.max(0, this.baseStock(sale.product)! - 1) };
      this.applied = sale.reference;
      this.writeStockRecord();
    }
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

  /** Units left (the open sale's unit taken off), or undefined when the product's stock is not counted. */
  stockOf(product: string): number | undefined {
    const base = this.baseStock(product);
    if (base === undefined) return undefined;
    const sale = this.sale;
    const pending = sale && sale.takesUnit && sale.product === product && this.applied !== sale.reference ? 1 : 0;
    return Math.max(0, base - pending);
  }

  /** Sets the units left of a product (service mode's restock). */
  setStock(product: string, units: number): void {
    const sale = this.sale;
    const pending = sale && sale.takesUnit && sale.product === product && this.applied !== sale.reference ? 1 : 0;
    this.stockCounts = { ...this.stockCounts, [product]: units + pending };
    this.writeStockRecord();
  }

  /** Sold out or back on sale as set in service mode; undefined: as configured. */
  soldOutOverride(product: string): boolean | undefined {
    return this.soldOutFlags[product];
  }

  setSoldOut(product: string, soldOut: boolean): void {
    this.soldOutFlags = { ...this.soldOutFlags, [product]: soldOut };
    this.writeStockRecord();
  }

  /** Why the product is out of sale until the operator clears it; undefined when it is not. */
  productFault(product: string): ProductFault | undefined {
    return this.faults[product];
  }

  /** Takes the product out of sale (`fault`) or puts it back (undefined). */
  setProductFault(product: string, fault: ProductFault | undefined): void {
    if (this.faults[product] === fault) return;
    const faults = { ...this.faults };
    if (fault) faults[product] = fault;
    else delete faults[product];
    this.faults = faults;
    this.writeStockRecord();
  }

  appendLog(entry: SalesLogEntry): void {
    let dropped: LogData[] = [];
    this.attempt('log', () => {
      dropped = this.log.append([entry.time, entry.product, entry.amount, entry.reference, OUTCOME_CODES[entry.outcome], this.nextSeq()]);
    });
    // The log holds 50 sales: with the fleet away longer, the oldest events never reach it. Counted, so the operator knows.
    const acked = this.fleetAcked;
    let lost = 0;
    for (const old of dropped) if (old[5] !== undefined && old[5] > acked && OUTCOMES_BY_CODE[old[4]] !== 'test-fire') lost++;
    if (lost > 0) {
      this.lost = this.fleetLost + lost;
      this.writeFleetRecord();
    }
  }

  /** Sale events pushed out of the log before the fleet server acknowledged them, ever. */
  get fleetLost(): number {
    this.seqBase();
    return this.lost ?? 0;
  }

  /** The newest log entry for `reference` gets another outcome (a queued capture that went through), and the next sequence number. */
  updateLog(reference: string, outcome: SaleOutcome): boolean {
    let found = false;
    this.attempt('log', () => {
      let seq = 0;
      found = this.log.update((entry) => entry[3] === reference, (entry) => [entry[0], entry[1], entry[2], entry[3], OUTCOME_CODES[outcome], seq || (seq = this.nextSeq())]);
    });
    return found;
  }

  /**
   * Sale events newer than `afterSeq`, oldest first, at most `limit` (the fleet link's outbox);
   * undefined when the log cannot be read. `repeat`: an older entry has the same reference (a refund).
   */
  saleEvents(afterSeq: number, limit: number): SaleEvent[] | undefined {
    let entries: LogData[];
    try {
      entries = this.log.entries();
    } catch (error) {
      this.fail('log', 'read', error);
      return undefined;
    }
    const events: SaleEvent[] = [];
    const references = new Set<string>();
    for (const [time, product, amount, reference, code, seq] of entries) {
      if (seq !== undefined && seq > afterSeq) {
        const event: SaleEvent = { time, product, amount, reference, outcome: OUTCOMES_BY_CODE[code] ?? 'failed', seq };
        if (references.has(reference)) event.repeat = true;
        events.push(event);
      }
      references.add(reference);
    }
    events.sort((a, b) => a.seq - b.seq);
    return events.slice(0, limit);
  }

  /** The newest sale event's sequence number (0: none yet). */
  get lastSaleSeq(): number {
    return this.seqBase();
  }

  /** Every sale event up to this one is acknowledged by the fleet server. */
  get fleetAcked(): number {
    this.seqBase();
    return this.acked ?? 0;
  }

  /** Records that the fleet server acknowledged every event up to `seq` (never goes back). */
  setFleetAcked(seq: number): void {
    if (seq <= this.fleetAcked) return;
    this.acked = seq;
    this.writeFleetRecord();
  }

  /** The newest sequence number given out, from the log and the fleet record (read once). */
  private seqBase(): number {
    if (this.newestSeq !== undefined) return this.newestSeq;
    let newest = 0;
    try {
      for (const entry of this.log.entries()) newest = Math.max(newest, entry[5] ?? 0);
    } catch (error) {
      this.fail('log', 'read', error);
    }
    try {
      const fleet = this.fleetRecord.read();
      if (fleet) {
        this.acked = Math.max(this.acked ?? 0, fleet.value.a);
        const lost = fleet.value.l;
        if (typeof lost === 'number' && lost > 0) this.lost = Math.max(this.lost ?? 0, lost);
        newest = Math.max(newest, fleet.value.s, fleet.value.a);
      }
    } catch (error) {
      this.fail('fleet', 'read', error);
    }
    this.newestSeq = newest;
    return newest;
  }

  private nextSeq(): number {
    this.newestSeq = this.seqBase() + 1;
    return this.newestSeq;
  }

  private writeFleetRecord(): boolean {
    return this.attempt('fleet', () => this.fleetRecord.write(this.lost ? { a: this.acked ?? 0, s: this.seqBase(), l: this.lost } : { a: this.acked ?? 0, s: this.seqBase() }));
  }

  salesLog(): SalesLogEntry[] {
    try {
      return this.log.entries().map(([time, product, amount, reference, code]) => ({ time, product, amount, reference, outcome: OUTCOMES_BY_CODE[code] ?? 'failed' }));
    } catch (error) {
      this.fail('log', 'read', error);
      return [];
    }
  }

  private baseStock(product: string): number | undefined {
    return this.stockCounts[product] ?? this.configuredStock[product];
  }

  /** Reads each money record not read yet; one that fails stays unread (and is tried again by retry). */
  private readRecords(): void {
    if (this.unread.has('sale')) {
      const sale = this.read('sale', () => this.saleRecord.read());
      if (sale !== false) {
        this.counter = Math.max(this.counter, sale?.value.n ?? 1);
        const s = sale?.value.s;
        if (s && !this.sale) {
          const [reference, product, amount, currency, phase, time, takesUnit] = s;
          this.sale = { reference, product, amount, currency, phase, time };
          if (takesUnit === 1 && sale!.version >= 2) this.sale.takesUnit = true;
        }
      }
    }
    if (this.unread.has('queue')) {
      const queue = this.read('queue', () => this.queueRecord.read());
      if (queue !== false) {
        this.counter = Math.max(this.counter, queue?.value.n ?? 1);
        const read = queue ? queue.value.q.map((entry) => this.readEntry(entry, queue.value)) : [];
        // Items handed over in memory while the record was unreadable are kept, after the stored ones.
        const extra = this.items.filter((item) => !read.some((other) => other.reference === item.reference && other.operation === item.operation));
        this.items = [...read, ...extra];
        if (extra.length > 0) this.dirty.add('queue');
      }
    }
    if (this.unread.has('stock')) {
      const stock = this.read('stock', () => this.stockRecord.read());
      if (stock !== false && stock) {
        this.stockCounts = { ...stock.value.c };
        for (const id of Object.keys(stock.value.o)) {
          if (stock.value.o[id] === 2) this.faults[id] = 'sensor';
          else this.soldOutFlags[id] = stock.value.o[id] === 1;
        }
        this.applied = stock.value.a;
      }
    }
  }

  /** A record's newest value; false when the store could not be read (the record stays unread). */
  private read<T>(name: RecordName, read: () => T): T | false {
    try {
      const value = read();
      this.unread.delete(name);
      return value;
    } catch (error) {
      this.fail(name, 'read', error);
      return false;
    }
  }

  /** Runs one store write; on failure memory stays as it is, the record is rewritten later. */
  private attempt(name: RecordName, write: () => void): boolean {
    if (this.unread.has(name)) {
      this.dirty.add(name);
      return false;
    }
    try {
      write();
      this.dirty.delete(name);
      return true;
    } catch (error) {
      this.dirty.add(name);
      this.fail(name, 'write', error);
      return false;
    }
  }

  private fail(name: RecordName, what: 'read' | 'write', error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.lastFailure = `${what} ${name}: ${message}`.slice(0, 120);
  }

  private writeSale(sale: OpenSale | undefined): boolean {
    this.sale = sale;
    return this.attempt('sale', () => this.saleRecord.write(this.saleData(sale)));
  }

  private saleData(sale: OpenSale | undefined): SaleData {
    const data: SaleData = { n: this.counter };
    if (sale) data.s = sale.takesUnit ? [sale.reference, sale.product, sale.amount, sale.currency, sale.phase, sale.time, 1] : [sale.reference, sale.product, sale.amount, sale.currency, sale.phase, sale.time];
    return data;
  }

  private stockData(): StockData {
    const o: Record<string, 0 | 1 | 2> = {};
    for (const id of Object.keys(this.soldOutFlags)) o[id] = this.soldOutFlags[id] ? 1 : 0;
    for (const id of Object.keys(this.faults)) o[id] = 2;
    const data: StockData = { c: this.stockCounts, o };
    if (this.applied !== undefined) data.a = this.applied;
    return data;
  }

  private writeStockRecord(): boolean {
    return this.attempt('stock', () => this.stockRecord.write(this.stockData()));
  }

  private queueData(items: QueueItem[]): QueueData {
    const prefix = `${this.posId}-`;
    const q = items.map((i): QueueEntry => {
      const reference = this.posId && i.reference.startsWith(prefix) ? `~${i.reference.slice(prefix.length)}` : i.reference;
      const entry: [string, string, number, 0 | 1, number] = [OPERATION_LETTERS[i.operation], reference, i.amount, i.overdue ? 1 : 0, i.time];
      return i.currency === this.currency ? entry : [...entry, i.currency];
    });
    return { n: this.counter, p: this.posId, c: this.currency, q };
  }

  private readEntry(entry: QueueEntry, data: QueueData): QueueItem {
    const [letter, stored, amount, overdue, fifth, sixth] = entry as [string, string, number, 0 | 1, (number | string)?, string?];
    const reference = stored.startsWith('~') ? `${data.p}-${stored.slice(1)}` : stored;
    const time = typeof fifth === 'number' ? fifth : 0;
    const currency = typeof fifth === 'string' ? fifth : sixth;
    return { operation: OPERATIONS_BY_LETTER[letter] ?? 'cancel', reference, amount, currency: currency ?? data.c, product: '', time, overdue: overdue === 1 };
  }

  private writeQueue(items: QueueItem[]): void {
    this.items = items;
    this.attempt('queue', () => this.queueRecord.write(this.queueData(items)));
  }
}
