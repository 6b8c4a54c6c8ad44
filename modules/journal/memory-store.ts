// A KeyValueStore in memory with the device's limits, for tests and the desktop: a key of more than
// 15 characters or a value of more than 4000 UTF-8 bytes throws, as Preference does on the ESP32,
// so a record that only fits on the desktop is caught before it reaches a machine. With a byte
// limit (keys and values, UTF-8) it is a store that fills up: a set past it throws, as a full NVS
// partition does, and freeBytes() tells what is left.
import { utf8Length } from 'journal/utf8-length';
import { MAX_KEY_LENGTH, MAX_VALUE_BYTES, type KeyValueStore } from 'ports/store';

export type StoreSnapshot = Record<string, string>;

export class MemoryStore implements KeyValueStore {
  /** set calls that stored a value. */
  writes = 0;
  /** delete calls. */
  deletes = 0;
  private readonly values = new Map<string, string>();
  private used = 0;

  /** Starts with the contents of `initial` (a snapshot of another store: the same machine after a reboot). */
  constructor(initial: StoreSnapshot = {}, readonly capacityBytes?: number) {
    for (const key of Object.keys(initial)) {
      const value = initial[key]!;
      checkKey(key);
      checkValue(key, value);
      this.values.set(key, value);
      this.used += key.length + utf8Length(value);
    }
  }

  /** Bytes left under the limit; undefined without one. */
  freeBytes(): number | undefined {
    return this.capacityBytes === undefined ? undefined : Math.max(0, this.capacityBytes - this.used);
  }

  get(key: string): string | undefined {
    checkKey(key);
    return this.values.get(key);
  }

  set(key: string, value: string): void {
    checkKey(key);
    checkValue(key, value);
    const old = this.values.get(key);
    const used = this.used - (old === undefined ? 0 : key.length + utf8Length(old)) + key.length + utf8Length(value);
    if (this.capacityBytes !== undefined && used > this.capacityBytes) throw new RangeError(`store full: "${key}" needs ${used - this.capacityBytes} bytes more than the ${this.capacityBytes} it holds`);
    this.writes++;
    this.values.set(key, value);
    this.used = used;
  }

  delete(key: string): void {
    checkKey(key);
    this.deletes++;
    const old = this.values.get(key);
    if (old !== undefined) this.used -= key.length + utf8Length(old);
    this.values.delete(key);
  }

  /** The keys held, sorted. */
  keys(): string[] {
    return [...this.values.keys()].sort();
  }

  /** A copy of the contents, keys sorted; `new MemoryStore(snapshot)` starts from it. */
  snapshot(): StoreSnapshot {
    const copy: StoreSnapshot = {};
    for (const key of this.keys()) copy[key] = this.values.get(key)!;
    return copy;
  }
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new RangeError(`store key ${JSON.stringify(key)} must be 1-${MAX_KEY_LENGTH} characters`);
  }
}

function checkValue(key: string, value: string): void {
  if (typeof value !== 'string') throw new TypeError(`store value for "${key}" must be a string`);
  const bytes = utf8Length(value);
  if (bytes > MAX_VALUE_BYTES) throw new RangeError(`store value for "${key}" is ${bytes} bytes, over the limit of ${MAX_VALUE_BYTES}`);
}
