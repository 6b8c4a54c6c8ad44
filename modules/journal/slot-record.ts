// One logical record kept in two store keys, `<name>.0` and `<name>.1`, written in turn: a write
// goes to the slot that does NOT hold the newest valid record, so the record a power cut can
// damage is never the one read() would fall back to.
//
// Guarantee. Each slot is an envelope (journal/envelope) with a sequence number one higher than
// the record it replaces. read() returns the valid slot with the higher sequence number; a
// tombstone (written by clear) reads as undefined and hides the slot behind it. Hence:
//  - after a power cut during write(x) or clear(), read() returns x (or empty, for clear) if the
//    store finished that write, otherwise exactly what it returned before the call: the last
//    completed write. Never a torn value, never anything older.
//  - if the newest slot is later damaged on its own (flash fault, a foreign writer), read() falls
//    back to the write before it, and never further: the other slot holds nothing older.
// So read() always returns the last completed write or the one before it. The sale controller is
// built so that recovering the write-before-last is always safe.
//
// A SlotRecord remembers where the newest record is after its first read() or write(), so a write
// costs one store.set and no store.get. After a failed set it forgets, and looks again.
import { decodeEnvelope, encodeEnvelope, isSchemaVersion } from 'journal/envelope';
import { JournalError } from 'journal/errors';
import { utf8Length } from 'journal/utf8-length';
import { MAX_KEY_LENGTH, MAX_VALUE_BYTES, type KeyValueStore } from 'ports/store';

export interface SlotRecordOptions {
  /** Schema version of the values this code writes; stored with each slot and returned by read(). */
  version: number;
  /** Limit for one encoded slot in UTF-8 bytes, envelope included. Default 1024, at most 4000. */
  maxBytes?: number;
}

export interface SlotRead<T> {
  value: T;
  /** The schema version the value was written with: the caller migrates older ones. */
  version: number;
  seq: number;
}

/** Marks a slot value as a SlotRecord slot, format 1. */
export const SLOT_MARKER = 'R1';
const DEFAULT_MAX_BYTES = 1024;
const NO_SLOT = -1;

export class SlotRecord<T> {
  readonly name: string;
  readonly version: number;
  readonly maxBytes: number;
  /** store.set calls made by this record (flash wear; tests count them). */
  writes = 0;
  private readonly store: KeyValueStore;
  private readonly keys: readonly [string, string];
  private located = false;
  private newestSlot = NO_SLOT;
  private newestSeq = 0;
  private newestEmpty = true;

  constructor(store: KeyValueStore, name: string, options: SlotRecordOptions) {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (typeof name !== 'string' || name.length === 0 || name.length + 2 > MAX_KEY_LENGTH) {
      throw new JournalError('config', String(name), `journal record name "${name}" must be 1-${MAX_KEY_LENGTH - 2} characters (keys are <name>.0 and <name>.1)`);
    }
    if (!isSchemaVersion(options.version)) throw new JournalError('config', name, `journal record "${name}": version must be a whole number >= 0`);
    if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_VALUE_BYTES) {
      throw new JournalError('config', name, `journal record "${name}": maxBytes must be 1-${MAX_VALUE_BYTES}`);
    }
    this.store = store;
    this.name = name;
    this.version = options.version;
    this.maxBytes = maxBytes;
    this.keys = [`${name}.0`, `${name}.1`];
  }

  /** The newest intact record, or undefined when there is none or it was cleared. Never throws on damaged slots. */
  read(): SlotRead<T> | undefined {
    const slots = [decodeEnvelope(SLOT_MARKER, this.store.get(this.keys[0])), decodeEnvelope(SLOT_MARKER, this.store.get(this.keys[1]))];
    const first = slots[1] && (!slots[0] || slots[1].seq > slots[0].seq) ? 1 : 0;
    this.located = true;
    this.newestSlot = NO_SLOT;
    this.newestEmpty = true;
    this.newestSeq = Math.max(slots[0]?.seq ?? 0, slots[1]?.seq ?? 0);
    for (const slot of [first, 1 - first]) {
      const envelope = slots[slot];
      if (!envelope) continue;
      if (envelope.payload === '') {
        this.newestSlot = slot; // a tombstone: the record is empty, whatever the older slot holds
        return undefined;
      }
      let value: T;
      try {
        value = JSON.parse(envelope.payload) as T;
      } catch {
        continue; // checksummed but not JSON: not ours to trust
      }
      this.newestSlot = slot;
      this.newestEmpty = false;
      return { value, version: envelope.version, seq: envelope.seq };
    }
    return undefined;
  }

  /** Stores `value` as the newest record: one store.set. Throws JournalError, writing nothing, when it does not fit. */
  write(value: T): void {
    const payload = JSON.stringify(value) as string | undefined;
    if (typeof payload !== 'string' || payload === '') {
      throw new JournalError('unencodable', this.name, `journal record "${this.name}": the value has no JSON form`);
    }
    this.put(payload);
  }

  /**
   * Makes the record read as empty by writing a tombstone into the other slot (one store.set), so
   * the old value cannot come back through the slot scan. Writes nothing when it already reads as
   * empty.
   */
  clear(): void {
    if (!this.located) this.read();
    if (this.newestEmpty) return;
    this.put('');
  }

  private put(payload: string): void {
    if (!this.located) this.read();
    const slot = this.newestSlot === 0 ? 1 : 0;
    const seq = this.newestSeq + 1;
    const text = encodeEnvelope(SLOT_MARKER, this.version, seq, payload);
    const bytes = utf8Length(text);
    if (bytes > this.maxBytes) {
      throw new JournalError('too-large', this.name, `journal record "${this.name}": slot is ${bytes} bytes, over the limit of ${this.maxBytes}`, { bytes, limit: this.maxBytes });
    }
    this.located = false; // until set returns, the store's state is unknown
    this.writes++;
    this.store.set(this.keys[slot]!, text);
    this.located = true;
    this.newestSlot = slot;
    this.newestSeq = seq;
    this.newestEmpty = payload === '';
  }
}
