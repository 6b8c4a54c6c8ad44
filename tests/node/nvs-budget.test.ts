// NVS space (issue 14): the shipped partitions file gives NVS 128 KB and two OTA slots in 4 MB; the
// worst-case journal, two configuration slots at the limit, the secrets and ESP-IDF's own data fit
// it with room to rewrite any value, in the NVS page arithmetic; in the SDK's default 24 KB they
// never did. The configuration limit follows the space.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_HEAP_LIMIT_BYTES, JOURNAL_SMALL_VALUES, JOURNAL_WORST_VALUES, MAX_CONFIG_BYTES, NVS_PARTITION_BYTES, SECRETS_RESERVE_ENTRIES, SYSTEM_RESERVE_ENTRIES, blobEntries, configLimitFor } from 'hosts/moddable/nvs-budget';
import { MAX_VALUE_BYTES } from 'ports/store';
import { MemoryStore } from 'journal/memory-store';
import { FLEET_SLOT_BYTES, MAX_QUEUE, SaleJournal, SLOT_BYTES } from 'app/sale/journal';
import { NvsModelStore } from '../support/nvs-model-store';

const SDK_DEFAULT_NVS_BYTES = 0x6000;
const FLASH_BYTES = 4 * 1024 * 1024;

interface Partition { name: string; type: string; subtype: string; offset: number; size: number }

function partitions(): Partition[] {
  const text = readFileSync(new URL('../../hosts/moddable/esp32/partitions.csv', import.meta.url), 'utf8');
  return text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).map((line) => {
    const [name, type, subtype, offset, size] = line.split(',').map((field) => field.trim());
    return { name: name!, type: type!, subtype: subtype!, offset: Number(offset), size: Number(size) };
  });
}

/** Every key the journal and two configuration slots use, each at its largest. */
function fillWorstCase(store: NvsModelStore, configBytes: number): void {
  for (let i = 0; i < JOURNAL_WORST_VALUES.count; i++) store.set(`journal.${i}`, 'j'.repeat(JOURNAL_WORST_VALUES.bytes));
  for (let i = 0; i < JOURNAL_SMALL_VALUES.count; i++) store.set(`small.${i}`, 's'.repeat(JOURNAL_SMALL_VALUES.bytes));
  for (const slot of ['a', 'b']) {
    for (let part = 0; part * MAX_VALUE_BYTES < configBytes; part++) store.set(`${slot}${part}`, 'c'.repeat(Math.min(MAX_VALUE_BYTES, configBytes - part * MAX_VALUE_BYTES)));
    store.set(`${slot}h`, '999999999 8 0123abcd');
  }
}

describe('NVS space: the partitions file and the configuration limit', () => {
  it('the partitions file: NVS as the budget says, two equal OTA slots on 64 KB boundaries, nothing overlapping, all inside 4 MB', () => {
    const table = partitions();
    const nvs = table.find((p) => p.subtype === 'nvs');
    assert.equal(nvs?.size, NVS_PARTITION_BYTES);
    const apps = table.filter((p) => p.type === 'app');
    assert.deepEqual(apps.map((p) => p.subtype), ['ota_0', 'ota_1']);
    assert.equal(apps[0]!.size, apps[1]!.size);
    assert.ok(table.some((p) => p.subtype === 'ota'), 'otadata');
    for (const app of apps) assert.equal(app.offset % 0x10000, 0, app.name);
    const sorted = [...table].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1]!.offset + sorted[i - 1]!.size <= sorted[i]!.offset, `${sorted[i - 1]!.name} overlaps ${sorted[i]!.name}`);
    assert.ok(sorted[0]!.offset >= 0x9000);
    assert.ok(sorted.at(-1)!.offset + sorted.at(-1)!.size <= FLASH_BYTES);
  });

  it('the manifest ships it for esp32 builds', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../hosts/moddable/manifest.json', import.meta.url), 'utf8'));
    assert.equal(manifest.platforms.esp32.build.PARTITIONS_FILE, './esp32/partitions.csv');
  });

  it('the journal writes no more keys, and none larger, than the budget counts', () => {
    const store = new MemoryStore();
    const journal = new SaleJournal(store, { posId: 'p'.repeat(24), currency: 'NOK' });
    const reference = (n: number) => `${'p'.repeat(24)}-${1_000_000 + n}-abcdef`;
    for (let n = 0; n < 60; n++) {
      journal.beginSale({ reference: reference(n), product: `product-${n % 12}`.padEnd(16, 'x'), amount: 65_000_000, currency: 'NOK', phase: 'create', time: 1_900_000_000 });
      journal.setPhase('release', true);
      journal.appendLog({ time: 1_900_000_000, product: `product-${n % 12}`.padEnd(16, 'x'), amount: 65_000_000, reference: reference(n), outcome: 'capture-pending' });
      if (journal.queue.length < MAX_QUEUE) journal.handOver({ operation: 'capture', reference: reference(n), amount: 65_000_000, currency: 'NOK', product: 'x', time: 1_900_000_000, overdue: true });
      else journal.closeSale();
      journal.setStock(`product-${n % 12}`.padEnd(16, 'x'), 999);
      journal.setFleetAcked(journal.lastSaleSeq);
    }
    assert.ok(store.keys().includes('fleet.1'), 'the fleet record was written in both slots');
    assert.ok(store.keys().length <= JOURNAL_WORST_VALUES.count + JOURNAL_SMALL_VALUES.count, `journal keys: ${store.keys().join(' ')}`);
    const small = store.keys().filter((key) => store.get(key)!.length <= JOURNAL_SMALL_VALUES.bytes);
    assert.ok(store.keys().length - Math.min(small.length, JOURNAL_SMALL_VALUES.count) <= JOURNAL_WORST_VALUES.count, `journal keys: ${store.keys().join(' ')}`);
    for (const key of store.keys()) assert.ok(store.get(key)!.length <= JOURNAL_WORST_VALUES.bytes, key);
    assert.equal(SLOT_BYTES, JOURNAL_WORST_VALUES.bytes);
    assert.equal(FLEET_SLOT_BYTES, JOURNAL_SMALL_VALUES.bytes);
  });

  it('the worst case fits the shipped NVS and every value can be rewritten; the limit is 32,000 bytes', () => {
    assert.equal(MAX_CONFIG_BYTES, CONFIG_HEAP_LIMIT_BYTES);
    const store = new NvsModelStore(NVS_PARTITION_BYTES, SYSTEM_RESERVE_ENTRIES + SECRETS_RESERVE_ENTRIES);
    fillWorstCase(store, MAX_CONFIG_BYTES);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < JOURNAL_WORST_VALUES.count; i++) store.set(`journal.${i}`, String(round).repeat(JOURNAL_WORST_VALUES.bytes));
      for (let i = 0; i < JOURNAL_SMALL_VALUES.count; i++) store.set(`small.${i}`, String(round).repeat(JOURNAL_SMALL_VALUES.bytes));
      for (let part = 0; part < MAX_CONFIG_BYTES / MAX_VALUE_BYTES; part++) store.set(`a${part}`, String(round).repeat(MAX_VALUE_BYTES));
    }
    assert.ok(store.freeBytes() >= 0);
  });

  it('in the SDK\'s default 24 KB NVS the worst case never fitted, and the limit there is 0', () => {
    assert.equal(configLimitFor(SDK_DEFAULT_NVS_BYTES), 0);
    const store = new NvsModelStore(SDK_DEFAULT_NVS_BYTES, SYSTEM_RESERVE_ENTRIES + SECRETS_RESERVE_ENTRIES);
    assert.throws(() => fillWorstCase(store, 32_000), /NVS full/);
  });

  it('the limit follows the space: a partition too small for two 32,000-byte slots gets a smaller limit that fits', () => {
    for (const size of [0xC000, 0x10000, 0x14000, 0x18000]) {
      const limit = configLimitFor(size);
      assert.ok(limit > 0 && limit < 32_000 && limit % MAX_VALUE_BYTES === 0, `${size}: ${limit}`);
      const store = new NvsModelStore(size, SYSTEM_RESERVE_ENTRIES + SECRETS_RESERVE_ENTRIES);
      fillWorstCase(store, limit);
      store.set('journal.0', 'x'.repeat(1024));
      assert.throws(() => fillWorstCase(new NvsModelStore(size, SYSTEM_RESERVE_ENTRIES + SECRETS_RESERVE_ENTRIES), limit + MAX_VALUE_BYTES), /NVS full/, `${size}: one part more`);
    }
  });

  it('counts a blob as NVS does: an index entry, a header per chunk, 32-byte data entries', () => {
    assert.equal(blobEntries(1), 3);
    assert.equal(blobEntries(1024), 34);
    assert.equal(blobEntries(4000), 127 + 1, '125 data entries: a page\'s worth, so two chunks unless it starts a page');
  });
});
