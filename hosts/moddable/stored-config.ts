// The provisioned machine configuration in Preference (config.ts says where the machine's
// document comes from), and the `machine.<field>` build settings.
//
// Preference values hold at most 4000 bytes and a write is not atomic on the ESP32, so a stored
// document is split over numbered keys in one of two slots ("a0", "a1", ... or "b0", ...), each
// with its own head (see StoredConfig): a power cut mid-write leaves the previous document in force.
// Nothing here falls back silently: a stored document that is damaged or no longer valid is handed
// to the controller as it is (or as nothing), which puts the machine out of service ('config')
// rather than selling at the build's prices.
import { MAX_VALUE_BYTES, type KeyValueStore } from 'ports/store';
import { crc32 } from 'journal/crc32';
import { isLowSurrogate, utf8Length } from 'journal/utf8-length';
import { ConfigError, validateMachineConfig } from 'app/config/validate';
import { MAX_CONFIG_BYTES } from 'hosts/moddable/nvs-budget';

export { MAX_CONFIG_BYTES };
const OVERRIDE_PREFIX = 'machine.';

/** Splits text into pieces of at most `maxBytes` UTF-8 bytes, never between a surrogate pair. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1));
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) {
      pieces.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    if (pair) i++;
  }
  if (start < text.length || pieces.length === 0) pieces.push(text.slice(start));
  return pieces;
}

type Slot = 'a' | 'b';
const SLOTS: readonly Slot[] = ['a', 'b'];
interface Head { slot: Slot; seq: number; parts: number; crc: string }

/** A slot's head key ("ah" or "bh"): `<seq> <parts> <crc32>`, written after all of its parts. */
function headKey(slot: Slot): string {
  return `${slot}h`;
}

function readHead(store: KeyValueStore, slot: Slot): Head | undefined {
  const text = store.get(headKey(slot));
  const match = text === undefined ? null : /^(\d{1,9}) (\d{1,2}) ([0-9a-f]{8})$/.exec(text);
  return match ? { slot, seq: Number(match[1]), parts: Number(match[2]), crc: match[3]! } : undefined;
}

/**
 * The provisioned document in Preference, in two slots so that no single write can lose it: each
 * slot has its parts and a head naming their count and CRC-32 with a sequence number. A new
 * document goes whole into the slot not in use, its head last; only then is the old slot removed,
 * head first. A power cut at any write leaves one slot whose parts match its head: the newest such
 * slot is the document. (One head for both slots would not do: on the ESP32 a write erases the old
 * value before writing the new one.)
 */
export class StoredConfig {
  constructor(private readonly store: KeyValueStore) {}

  /** The stored text, undefined when none is stored; throws when something is stored but no slot is whole. */
  read(): string | undefined {
    let best: { seq: number; text: string } | undefined;
    let damaged: string | undefined;
    for (const slot of SLOTS) {
      const head = readHead(this.store, slot);
      if (!head) {
        if (this.store.get(headKey(slot)) !== undefined) damaged = 'unreadable head';
        continue;
      }
      const text = this.slotText(head);
      if (typeof text !== 'string') damaged = text.problem;
      else if (!best || head.seq > best.seq) best = { seq: head.seq, text };
    }
    if (best) return best.text;
    if (damaged) throw new Error(`stored configuration: ${damaged}`);
    return undefined;
  }

  /** Checks and keeps a document; returns the problem instead when it is refused (nothing written). */
  write(text: string): string | undefined {
    const bytes = utf8Length(text);
    if (bytes > MAX_CONFIG_BYTES) return `configuration is ${bytes} bytes, over the ${MAX_CONFIG_BYTES}-byte limit`;
    try {
      validateMachineConfig(JSON.parse(text));
    } catch (error) {
      return error instanceof ConfigError ? error.message : 'configuration is not valid JSON';
    }
    const current = this.current();
    const slot: Slot = current?.slot === 'a' ? 'b' : 'a';
    // Whatever the slot held before (a half-written document) goes first, head first.
    this.dropSlot(slot);
    const pieces = splitUtf8(text, MAX_VALUE_BYTES);
    for (let i = 0; i < pieces.length; i++) this.store.set(`${slot}${i}`, pieces[i]!);
    this.store.set(headKey(slot), `${(current?.seq ?? 0) + 1} ${pieces.length} ${crc32(text)}`);
    if (current) this.dropSlot(current.slot);
    return undefined;
  }

  /** Forgets the provisioned document: the build's default applies from the next boot. */
  clear(): void {
    for (const slot of SLOTS) this.dropSlot(slot);
  }

  /** One line for the console: where the document comes from and its size. */
  describe(): string {
    try {
      const text = this.read();
      return text === undefined ? 'config: build default' : `config: provisioned, ${utf8Length(text)} bytes`;
    } catch (error) {
      return `config: provisioned but unusable (${(error as Error).message})`;
    }
  }

  /** The newest whole slot. */
  private current(): Head | undefined {
    let best: Head | undefined;
    for (const slot of SLOTS) {
      const head = readHead(this.store, slot);
      if (head && typeof this.slotText(head) === 'string' && (!best || head.seq > best.seq)) best = head;
    }
    return best;
  }

  private slotText(head: Head): string | { problem: string } {
    let text = '';
    for (let i = 0; i < head.parts; i++) {
      const part = this.store.get(`${head.slot}${i}`);
      if (part === undefined) return { problem: `part ${i + 1} of ${head.parts} missing` };
      text += part;
    }
    return crc32(text) === head.crc ? text : { problem: 'checksum mismatch' };
  }

  private dropSlot(slot: Slot): void {
    if (this.store.get(headKey(slot)) !== undefined) this.store.delete(headKey(slot));
    for (let i = 0; i < MAX_CONFIG_BYTES / MAX_VALUE_BYTES; i++) {
      if (this.store.get(`${slot}${i}`) === undefined) break;
      this.store.delete(`${slot}${i}`);
    }
  }
}

/** A mc/config string as a JSON value when it parses, else as the text itself. */
export function settingValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Applies `machine.<field>` settings to the document's top-level fields (values parsed as JSON when they parse). */
export function applyOverrides(document: Record<string, unknown>, settings: Record<string, unknown>): void {
  for (const key of Object.keys(settings)) {
    if (!key.startsWith(OVERRIDE_PREFIX)) continue;
    const value = settings[key];
    document[key.slice(OVERRIDE_PREFIX.length)] = typeof value === 'string' ? settingValue(value) : value;
  }
}
