// The KeyValueStore port on Moddable's Preference: NVS on the ESP32, one JSON file for every app in
// the simulator. Limits are checked here, before Preference sees the value, for two reasons: the
// simulator accepts anything while the device refuses it, and on the ESP32 a refused write has
// already erased the old value (modPreference.c erases the key, then writes, then commits).
//
// On the device values go in as blobs (the UTF-8 bytes in an ArrayBuffer), not NVS strings: an
// NVS string's 4000 bytes include its terminating zero, so one of exactly MAX_VALUE_BYTES would be
// refused. In the simulator they stay strings: its Preference keeps a blob as a list of numbers
// and splits it into one string per byte when read, far too many slots for the device's heap.
// The manifest fragment sets `preferenceBlobs` in mc/config for the ESP32.
import config from 'mc/config';
import Preference from 'preference';
import { MAX_KEY_LENGTH, MAX_VALUE_BYTES, type KeyValueStore } from 'ports/store';

/** The Preference domain (NVS namespace, at most 15 characters too) of the machine's data. */
export const DEFAULT_DOMAIN = 'qrvend';

const KEY_PATTERN = (): RegExp => /^[\x21-\x7e]+$/;

function checkKey(key: string): void {
  // NVS keys (and namespaces) are ASCII, 15 characters at most (16 bytes with the zero).
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_PATTERN().test(key)) {
    throw new RangeError(`store key "${key.slice(0, 20)}" must be 1-${MAX_KEY_LENGTH} printable ASCII characters`);
  }
}

export interface PreferenceStoreOptions {
  /** Default DEFAULT_DOMAIN. */
  domain?: string;
  /** Store values as blobs; default from mc/config `preferenceBlobs` (set for the ESP32). */
  blobs?: boolean;
}

export class PreferenceStore implements KeyValueStore {
  readonly domain: string;
  readonly blobs: boolean;

  constructor(options: PreferenceStoreOptions = {}) {
    this.domain = options.domain ?? DEFAULT_DOMAIN;
    checkKey(this.domain);
    const configured = (config as Record<string, unknown>).preferenceBlobs;
    this.blobs = options.blobs ?? (configured === true || configured === 1 || configured === '1' || configured === 'true');
  }

  get(key: string): string | undefined {
    checkKey(key);
    const value = Preference.get(this.domain, key);
    if (value === undefined) return undefined;
    // Either encoding reads back, so a change of `blobs` keeps what was written before.
    if (value instanceof ArrayBuffer) return String.fromArrayBuffer(value);
    return String(value);
  }

  set(key: string, value: string): void {
    checkKey(key);
    const bytes = ArrayBuffer.fromString(value);
    if (bytes.byteLength > MAX_VALUE_BYTES) {
      throw new RangeError(`store value for "${key}" is ${bytes.byteLength} bytes, over the ${MAX_VALUE_BYTES}-byte limit; nothing was written`);
    }
    Preference.set(this.domain, key, this.blobs ? bytes : value);
  }

  delete(key: string): void {
    checkKey(key);
    Preference.delete(this.domain, key);
  }

  /** Every key of the domain: for service mode and tests. */
  keys(): string[] {
    return Preference.keys(this.domain);
  }
}
