// A KeyValueStore with the ESP32 NVS partition's arithmetic (hosts/moddable/nvs-budget): values are
// blobs in 32-byte entries, 126 to a 4 KB page, one page kept free; a value being replaced is
// written whole before the old one is erased, so a set needs room for both. A set that does not fit
// throws, as a full partition does; what the store holds is unchanged then.
import { blobEntries, NVS_ENTRY_BYTES, usableEntries } from 'hosts/moddable/nvs-budget';
import { MemoryStore } from 'journal/memory-store';
import { utf8Length } from 'journal/utf8-length';
import type { KeyValueStore } from 'ports/store';

export class NvsModelStore implements KeyValueStore {
  private readonly inner = new MemoryStore();
  private used: number;
  readonly capacity: number;

  /** `reservedEntries`: what others in the partition (ESP-IDF's Wi-Fi and PHY data) hold. */
  constructor(partitionBytes: number, reservedEntries = 0) {
    this.capacity = usableEntries(partitionBytes);
    this.used = reservedEntries;
  }

  get(key: string): string | undefined {
    return this.inner.get(key);
  }

  set(key: string, value: string): void {
    const old = this.inner.get(key);
    const adding = blobEntries(utf8Length(value));
    if (this.used + adding > this.capacity) throw new RangeError(`NVS full: "${key}" needs ${adding} entries, ${this.capacity - this.used} free`);
    this.inner.set(key, value);
    this.used += adding - (old === undefined ? 0 : blobEntries(utf8Length(old)));
  }

  delete(key: string): void {
    const old = this.inner.get(key);
    this.inner.delete(key);
    if (old !== undefined) this.used -= blobEntries(utf8Length(old));
  }

  freeBytes(): number {
    return (this.capacity - this.used) * NVS_ENTRY_BYTES;
  }
}
