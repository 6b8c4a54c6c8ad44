// The flash of the machine under test: a MemoryStore that survives every power cut, watched after
// each write that reached it, so the matrix knows what the journal durably said (a release is
// "confirmed" only once phase capture, or a queued capture, is on the flash) and which phases the
// open sale went through.
import { MemoryStore } from 'journal/memory-store';
import type { KeyValueStore } from 'ports/store';
import { SaleJournal } from 'app/sale/journal';

export class WatchedFlash implements KeyValueStore {
  readonly memory = new MemoryStore();
  /** References whose release the journal confirmed (phase capture or a queued capture). */
  readonly confirmedReleases = new Set<string>();
  /** What the journal said after each write: `create`, `release`, `capture`, `cancel`, `-` (no open sale), with the queue. */
  readonly phases: string[] = [];
  /** References whose release the flash recorded as begun (phase release), and those whose release it recorded as failed after that (phase cancel): the unit given back. */
  readonly releasesBegun = new Set<string>();
  readonly givenBack = new Set<string>();

  get(key: string): string | undefined {
    return this.memory.get(key);
  }

  set(key: string, value: string): void {
    this.memory.set(key, value);
    this.observe();
  }

  delete(key: string): void {
    this.memory.delete(key);
    this.observe();
  }

  /** Every value held, for the secrets check. */
  contents(): string[] {
    const snapshot = this.memory.snapshot();
    return Object.keys(snapshot).map((key) => `${key}=${snapshot[key]}`);
  }

  private observe(): void {
    // Read as a machine booting now would.
    const journal = new SaleJournal(this.memory);
    const open = journal.openSale;
    if (open?.phase === 'capture') this.confirmedReleases.add(open.reference);
    if (open?.phase === 'release') this.releasesBegun.add(open.reference);
    if (open?.phase === 'cancel' && this.releasesBegun.has(open.reference)) this.givenBack.add(open.reference);
    for (const item of journal.queue) if (item.operation === 'capture') this.confirmedReleases.add(item.reference);
    const queue = journal.queue.map((item) => `${item.operation}${item.overdue ? '!' : ''}`).join(',');
    const line = `${open ? open.phase : '-'}${queue ? ` [${queue}]` : ''}`;
    if (this.phases[this.phases.length - 1] !== line) this.phases.push(line);
  }
}
