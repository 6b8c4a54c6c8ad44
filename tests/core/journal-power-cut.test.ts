// The fault matrix: a power cut at every store write of a sequence, in each of the four ways a
// write can end ('before', 'lost', 'torn', 'after'), then a reboot (new objects over what the flash
// holds). A SlotRecord must read the last completed write (or the cut one, if it reached the store
// whole), never garbage, never anything older, and only the write before that if the newest slot
// is damaged later. A PagedLog may lose the cut page's entries, never trust them, and carries on.
import assert from 'node:assert/strict';
import { decodeEnvelope } from 'journal/envelope';
import { MemoryStore } from 'journal/memory-store';
import { PagedLog } from 'journal/paged-log';
import { SlotRecord } from 'journal/slot-record';
import { CUT_KINDS, PowerCut, PowerCutStore, type CutKind } from '../support/power-cut-store';

interface Sale { ref: string; step: number }
type Op = { write: Sale } | 'clear';

const OPS: Op[] = [
  { write: { ref: 'sale-1', step: 1 } },
  { write: { ref: 'sale-1', step: 2 } },
  { write: { ref: 'sale-1', step: 3 } },
  'clear',
  { write: { ref: 'sale-2', step: 1 } },
  { write: { ref: 'sale-2', step: 2 } },
  'clear',
  'clear', // already empty: no store write
  { write: { ref: 'sale-3', step: 1 } },
];
const STORE_WRITES = 8;

function openRecord(store: MemoryStore | PowerCutStore): SlotRecord<Sale> {
  return new SlotRecord<Sale>(store, 'sale', { version: 1 });
}

/** Runs OPS until the power goes; returns what reached the store, in order, and what the cut op would have made. */
function runUntilCut(record: SlotRecord<Sale>): { history: (Sale | undefined)[]; interrupted: Sale | undefined; cut: boolean } {
  const history: (Sale | undefined)[] = [undefined];
  for (const op of OPS) {
    const next = op === 'clear' ? undefined : op.write;
    try {
      if (op === 'clear') record.clear();
      else record.write(op.write);
    } catch (error) {
      assert.ok(error instanceof PowerCut, `unexpected ${String(error)}`);
      return { history, interrupted: next, cut: true };
    }
    if (history[history.length - 1] !== next || next !== undefined) history.push(next);
  }
  return { history, interrupted: undefined, cut: false };
}

function ids(log: PagedLog<{ id: number }>): number[] {
  return log.entries().map((entry) => entry.id);
}

function assertConsecutive(list: number[], message: string): void {
  for (let i = 1; i < list.length; i++) assert.equal(list[i], list[i - 1]! + 1, `${message}: ${JSON.stringify(list)}`);
}

describe('journal power cuts', () => {
  describe('PowerCutStore', () => {
    const cases: [CutKind, string | undefined][] = [['before', 'old'], ['lost', undefined], ['torn', 'new-val'], ['after', 'new-value-14ch']];
    for (const [how, left] of cases) {
      it(`'${how}' leaves ${JSON.stringify(left)} and a dead machine`, () => {
        const inner = new MemoryStore({ k: 'old' });
        const store = new PowerCutStore(inner);
        store.cutAtWrite(2, how);
        store.set('other', 'fine');
        assert.throws(() => store.set('k', 'new-value-14ch'), PowerCut);
        assert.equal(inner.get('k'), left);
        assert.equal(inner.get('other'), 'fine');
        assert.equal(store.writes, 2);
        assert.ok(store.isDead);
        assert.throws(() => store.get('k'), PowerCut);
        assert.throws(() => store.set('k', 'x'), PowerCut);
        assert.throws(() => store.delete('k'), PowerCut);
      });
    }

    it('torn keeps the asked number of characters', () => {
      const inner = new MemoryStore();
      const store = new PowerCutStore(inner);
      store.cutAtWrite(1, 'torn', 3);
      assert.throws(() => store.set('k', 'abcdef'), PowerCut);
      assert.equal(inner.get('k'), 'abc');
    });
  });

  describe('SlotRecord', () => {
    it(`writes ${STORE_WRITES} times for the sequence without a cut`, () => {
      const store = new MemoryStore();
      const { history, cut } = runUntilCut(openRecord(store));
      assert.equal(cut, false);
      assert.equal(store.writes, STORE_WRITES);
      assert.deepEqual(openRecord(store).read()?.value, history[history.length - 1]);
    });

    for (const how of CUT_KINDS) {
      it(`a cut '${how}' at each of the ${STORE_WRITES} writes: reads the last completed write, and falls back no further than the one before`, () => {
        for (let n = 1; n <= STORE_WRITES; n++) {
          const inner = new MemoryStore();
          const power = new PowerCutStore(inner);
          power.cutAtWrite(n, how);
          const { history, interrupted, cut } = runUntilCut(openRecord(power));
          assert.ok(cut, `write ${n} was not cut`);
          if (how === 'after') history.push(interrupted);
          const label = `cut '${how}' at write ${n}`;
          const last = history[history.length - 1];
          const reader = openRecord(inner);
          assert.deepEqual(reader.read()?.value, last, label);

          // The newest slot damaged afterwards: only the write before the last may come back, or nothing.
          const slots = ['sale.0', 'sale.1'].map((key) => ({ key, envelope: decodeEnvelope('R1', inner.get(key)) }));
          const valid = slots.filter((slot) => slot.envelope !== undefined).sort((a, b) => b.envelope!.seq - a.envelope!.seq);
          if (valid.length > 0) {
            const damaged = new MemoryStore(inner.snapshot());
            damaged.set(valid[0]!.key, damaged.get(valid[0]!.key)!.slice(0, 12));
            const fallback = openRecord(damaged).read()?.value;
            const before = history.length >= 2 ? history[history.length - 2] : undefined;
            assert.ok(fallback === undefined || JSON.stringify(fallback) === JSON.stringify(before), `${label}: fell back to ${JSON.stringify(fallback)}`);
          }

          // The rebooted machine carries on.
          const rebooted = openRecord(inner);
          rebooted.write({ ref: 'after-reboot', step: n });
          assert.deepEqual(openRecord(inner).read()?.value, { ref: 'after-reboot', step: n }, label);
          assert.equal(rebooted.writes, 1);
        }
      });
    }

    it('a torn write of any length never reads as anything but the write before it', () => {
      const store = new MemoryStore();
      const record = openRecord(store);
      record.write({ ref: 'sale-9', step: 1 });
      record.write({ ref: 'sale-9', step: 2 });
      const length = store.get('sale.1')!.length;
      for (let keep = 0; keep <= length; keep++) {
        const inner = new MemoryStore(store.snapshot());
        const power = new PowerCutStore(inner);
        power.cutAtWrite(1, 'torn', keep);
        assert.throws(() => openRecord(power).write({ ref: 'sale-9', step: 3 }), PowerCut);
        // Even a prefix of full length (all of it arrived) reads as step 3; every shorter one as step 2.
        assert.deepEqual(openRecord(inner).read()?.value, { ref: 'sale-9', step: keep >= length ? 3 : 2 }, `kept ${keep}`);
      }
    });

    it('the same write cut again and again after each reboot still reads the last completed write', () => {
      const inner = new MemoryStore();
      openRecord(inner).write({ ref: 'sale-5', step: 1 });
      for (let attempt = 0; attempt < 6; attempt++) {
        const power = new PowerCutStore(inner);
        power.cutAtWrite(1, attempt % 2 === 0 ? 'torn' : 'lost');
        const record = openRecord(power);
        assert.deepEqual(record.read()?.value, { ref: 'sale-5', step: 1 });
        assert.throws(() => record.write({ ref: 'sale-5', step: 2 + attempt }), PowerCut);
      }
      openRecord(inner).write({ ref: 'sale-5', step: 9 });
      assert.deepEqual(openRecord(inner).read(), { value: { ref: 'sale-5', step: 9 }, version: 1, seq: 2 });
    });
  });

  describe('PagedLog', () => {
    const SHAPE = { version: 1, pages: 4, entriesPerPage: 5 };
    const APPENDS = 33; // round the 20-entry ring more than once

    function openLog(store: MemoryStore | PowerCutStore): PagedLog<{ id: number }> {
      return new PagedLog<{ id: number }>(store, 'log', SHAPE);
    }

    for (const how of CUT_KINDS) {
      it(`a cut '${how}' at each of ${APPENDS} appends: an unbroken run of the newest entries, then it carries on`, () => {
        for (let n = 1; n <= APPENDS; n++) {
          const inner = new MemoryStore();
          const power = new PowerCutStore(inner);
          power.cutAtWrite(n, how);
          const log = openLog(power);
          for (let id = 1; id < n; id++) log.append({ id });
          assert.throws(() => log.append({ id: n }), PowerCut);

          const label = `cut '${how}' at append ${n}`;
          const found = ids(openLog(inner));
          assertConsecutive(found, label);
          const last = found.length > 0 ? found[found.length - 1]! : 0;
          const kept = (SHAPE.pages - 1) * SHAPE.entriesPerPage;
          if (how === 'before' || how === 'after') {
            assert.equal(last, how === 'after' ? n : n - 1, label);
            assert.ok(found.length >= Math.min(last, kept + 1), `${label}: only ${found.length}`);
          } else {
            // The cut page (the head, or the oldest page being replaced) is lost; nothing else.
            assert.ok(last <= n - 1 && n - 1 - last < SHAPE.entriesPerPage, `${label}: ends at ${last}`);
            assert.ok(found.length >= Math.min(last, kept), `${label}: only ${found.length}`);
          }

          const rebooted = openLog(inner);
          for (let id = 100; id < 103; id++) rebooted.append({ id });
          assert.equal(rebooted.writes, 3);
          const after = ids(openLog(inner));
          assert.deepEqual(after.slice(-3), [100, 101, 102], label);
          assertConsecutive(after.slice(0, -3), label);
          assert.ok(after.length >= Math.min(found.length + 3, kept), `${label}: ${JSON.stringify(after)}`);
        }
      });
    }

    for (const how of CUT_KINDS) {
      it(`a cut '${how}' during an update costs at most that page`, () => {
        const inner = new MemoryStore();
        const setup = openLog(inner);
        for (let id = 1; id <= 12; id++) setup.append({ id });
        const power = new PowerCutStore(inner);
        power.cutAtWrite(1, how);
        assert.throws(() => openLog(power).update((e) => e.id === 7, () => ({ id: 70 })), PowerCut);
        const expected: Record<CutKind, number[]> = {
          before: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
          lost: [1, 2, 3, 4, 5, 11, 12],
          torn: [1, 2, 3, 4, 5, 11, 12],
          after: [1, 2, 3, 4, 5, 6, 70, 8, 9, 10, 11, 12],
        };
        assert.deepEqual(ids(openLog(inner)), expected[how]);
      });
    }
  });
});
