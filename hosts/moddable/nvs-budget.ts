// What the NVS partition can hold, in its own arithmetic: 4 KB pages of 126 entries of 32 bytes,
// one page always kept free for garbage collection; a blob value takes an index entry and, per
// chunk (a chunk never spans pages), a header entry and its data. The configuration's size limit
// follows from what is left once the worst-case journal, the secrets, ESP-IDF's own data and one
// value being rewritten (NVS writes the new value before it erases the old one) have their room.
import { MAX_VALUE_BYTES } from 'ports/store';

/** The nvs partition of hosts/moddable/esp32/partitions.csv (a test holds the two together). */
export const NVS_PARTITION_BYTES = 0x20000;
export const NVS_PAGE_BYTES = 4096;
export const NVS_ENTRIES_PER_PAGE = 126;
export const NVS_ENTRY_BYTES = 32;

/** Entries one blob value of `bytes` takes, its chunks starting anywhere in a page (so a full page's worth takes two). */
export function blobEntries(bytes: number): number {
  const data = Math.max(1, Math.ceil(bytes / NVS_ENTRY_BYTES));
  const chunks = Math.floor(data / (NVS_ENTRIES_PER_PAGE - 1)) + 1;
  return 1 + chunks + data;
}

/** Entries a partition of `partitionBytes` offers for values. */
export function usableEntries(partitionBytes: number): number {
  return Math.max(0, Math.floor(partitionBytes / NVS_PAGE_BYTES) - 1) * NVS_ENTRIES_PER_PAGE;
}

/** ESP-IDF's Wi-Fi settings (nvs.net80211) and PHY calibration (about 2 KB): two pages. */
export const SYSTEM_RESERVE_ENTRIES = 2 * NVS_ENTRIES_PER_PAGE;
/** The journal's keys at their largest: sale, queue and stock records in two slots each, ten log pages, 1024 bytes each. */
export const JOURNAL_WORST_VALUES = { count: 16, bytes: 1024 } as const;
/** The journal's small keys: the fleet record's two slots (journal FLEET_SLOT_BYTES). */
export const JOURNAL_SMALL_VALUES = { count: 2, bytes: 128 } as const;
/** The secrets, the PIN hash, Wi-Fi and provisioning keys: one page. */
export const SECRETS_RESERVE_ENTRIES = NVS_ENTRIES_PER_PAGE;
/** A configuration document is parsed whole in the device's heap: never larger than this. */
export const CONFIG_HEAP_LIMIT_BYTES = 32_000;

/** The largest configuration two slots of (parts of MAX_VALUE_BYTES plus a head) can hold in a partition of this size. */
export function configLimitFor(partitionBytes: number): number {
  const rest = usableEntries(partitionBytes)
    - JOURNAL_WORST_VALUES.count * blobEntries(JOURNAL_WORST_VALUES.bytes)
    - JOURNAL_SMALL_VALUES.count * blobEntries(JOURNAL_SMALL_VALUES.bytes)
    - SYSTEM_RESERVE_ENTRIES
    - SECRETS_RESERVE_ENTRIES
    - blobEntries(MAX_VALUE_BYTES)
    - 2 * blobEntries(32);
  const partsPerSlot = Math.floor(Math.max(0, rest) / 2 / blobEntries(MAX_VALUE_BYTES));
  return Math.min(partsPerSlot * MAX_VALUE_BYTES, CONFIG_HEAP_LIMIT_BYTES);
}

export const MAX_CONFIG_BYTES = configLimitFor(NVS_PARTITION_BYTES);
