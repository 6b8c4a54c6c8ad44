// A KeyValueStore whose flash goes bad: from a chosen write on every set throws (NVS full, a
// worn-out sector), and reads can fail too, until healed. Unlike a power cut the machine lives on:
// it must act on what it holds in memory and go out of service. What did reach the flash stays in
// the inner store, for a reboot.
import type { KeyValueStore } from 'ports/store';

export class StoreFault extends Error {
  override name = 'StoreFault';
}

export class FailingStore implements KeyValueStore {
  /** set calls that reached this store, failed ones included. */
  writes = 0;
  private failFromWrite = Infinity;
  private readsFail = false;

  constructor(readonly inner: KeyValueStore) {}

  /** The n-th set from now (1-based) and every one after it throw. */
  failWritesFrom(n: number): void {
    this.failFromWrite = this.writes + n;
  }

  failReads(fail: boolean): void {
    this.readsFail = fail;
  }

  heal(): void {
    this.failFromWrite = Infinity;
    this.readsFail = false;
  }

  /** Until reads heal nothing says what was open: recovery can only start after. */
  get readsFailing(): boolean {
    return this.readsFail;
  }

  get failing(): boolean {
    return this.writes >= this.failFromWrite || this.readsFail;
  }

  get(key: string): string | undefined {
    if (this.readsFail) throw new StoreFault(`flash read error on "${key}"`);
    return this.inner.get(key);
  }

  set(key: string, value: string): void {
    this.writes++;
    if (this.writes >= this.failFromWrite) throw new StoreFault(`flash write error on "${key}" (NVS full)`);
    this.inner.set(key, value);
  }

  delete(key: string): void {
    if (this.writes >= this.failFromWrite) throw new StoreFault(`flash erase error on "${key}"`);
    this.inner.delete(key);
  }

  freeBytes(): number | undefined {
    return this.inner.freeBytes?.();
  }
}
