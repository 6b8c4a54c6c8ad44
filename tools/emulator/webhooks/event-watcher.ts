// Finds the events a payment's log gained since the last look. Comparing logs, rather than hooking
// every place that adds an event, also gets rollbacks right: an operation whose effect a fault took
// back (processed: false) leaves the log as it was, and nothing is delivered for it.
import type { PaymentEventRecord, PaymentRecord } from '../types';

export interface NewEvent {
  record: PaymentRecord;
  event: PaymentEventRecord;
}

export class EventWatcher {
  private readonly seen = new Map<string, number>();

  newEvents(records: PaymentRecord[]): NewEvent[] {
    const found: NewEvent[] = [];
    for (const record of records) {
      const seen = this.seen.get(record.reference) ?? 0;
      for (const event of record.events.slice(seen)) found.push({ record, event });
      this.seen.set(record.reference, record.events.length);
    }
    return found;
  }

  /** Everything in these logs counts as delivered already (a state file loaded at start). */
  acknowledge(records: PaymentRecord[]): void {
    for (const record of records) this.seen.set(record.reference, record.events.length);
  }

  clear(): void {
    this.seen.clear();
  }
}
