/**
 * Small persistent key-value storage, shaped like Moddable's `Preference` (NVS on the ESP32): keys
 * of at most 15 characters, string values of at most 4000 bytes, synchronous. A write is not
 * atomic on the device (the old value is erased first), so a power cut can lose the key being
 * written; the journal's two-slot records are built for that. Hosts: Preference on the device, a
 * folder of files on the desktop, a Map in tests.
 */
export interface KeyValueStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
  /**
   * Bytes the store can still take, where the host can tell (a memory store's limit, the desktop's
   * disk); absent or undefined where it cannot (Preference has no free-space call in JavaScript).
   */
  freeBytes?(): number | undefined;
}

export const MAX_KEY_LENGTH = 15;
export const MAX_VALUE_BYTES = 4000;
