// The touch driver's supervision (issue 14, item 14): FT6206 I2C errors in the constructor and in
// read() never throw out; failed reads are counted, the panel is reported gone after a few in a
// row and remade with backoff, and reported back once a read succeeds. On Node, with a fake
// driver and fake timers (hosts/moddable/touch-reader.ts has no Moddable imports).
import assert from 'node:assert/strict';
import { FAILURES_GONE, FIRST_RETRY_MS, MAX_RETRY_MS, POLL_MS, superviseDriver, type LegacyPoint, type TouchTimers } from 'hosts/moddable/touch-reader';

class FakeTimers implements TouchTimers {
  now = 0;
  private next = 1;
  private readonly timers = new Map<number, { at: number; every?: number; callback: () => void }>();
  repeat(callback: () => void, ms: number) { const id = this.next++; this.timers.set(id, { at: this.now + ms, every: ms, callback }); return id; }
  once(callback: () => void, ms: number) { const id = this.next++; this.timers.set(id, { at: this.now + ms, callback }); return id; }
  clear(handle: unknown) { this.timers.delete(handle as number); }
  ticks() { return this.now; }
  advance(ms: number) {
    const end = this.now + ms;
    for (;;) {
      let first: [number, { at: number; every?: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!first || entry[1].at < first[1].at)) first = entry;
      if (!first) break;
      const [id, timer] = first;
      this.now = timer.at;
      if (timer.every !== undefined) timer.at += timer.every;
      else this.timers.delete(id);
      timer.callback();
    }
    this.now = end;
  }
}

/** An FT6206 stand-in: the constructor and read() throw while `broken`. */
function panel() {
  const state = { broken: false, made: 0, closed: 0, pressed: undefined as { x: number; y: number } | undefined };
  const make = () => {
    if (state.broken) throw new Error('I2C: no ACK');
    state.made++;
    return {
      read(points: LegacyPoint[]) {
        if (state.broken) throw new Error('I2C: bus error');
        points[0] = state.pressed ? { state: 2, ...state.pressed } : { state: 0 };
      },
      close() { state.closed++; },
    };
  };
  return { state, make };
}

function rig(broken = false) {
  const timers = new FakeTimers();
  const { state, make } = panel();
  state.broken = broken;
  const statuses: boolean[] = [];
  const taps: Array<[number, number, number]> = [];
  const warnings: string[] = [];
  let down: { x: number; y: number; at: number } | undefined;
  const press = {
    began(x: number, y: number, ticks: number) { if (!down) down = { x, y, at: ticks }; },
    ended(ticks: number) { if (down) taps.push([down.x, down.y, ticks - down.at]); down = undefined; },
    cancel() { down = undefined; },
  };
  const touch = superviseDriver(make, press, timers, (ok) => statuses.push(ok), { warn: (message) => warnings.push(message) });
  return { timers, state, statuses, taps, warnings, touch };
}

describe('touch driver supervision (FT6206 I2C errors)', () => {
  it('reads taps while the panel answers, and reports nothing', () => {
    const r = rig();
    r.state.pressed = { x: 10, y: 20 };
    r.timers.advance(200);
    r.state.pressed = undefined;
    r.timers.advance(POLL_MS * 2);
    assert.equal(r.taps.length, 1);
    assert.deepEqual(r.taps[0]!.slice(0, 2), [10, 20]);
    assert.deepEqual(r.statuses, []);
    assert.equal(r.touch.ok, true);
    r.touch.stop();
  });

  it('survives read errors: a few are counted, a run of them reports the panel gone, closes and remakes it with backoff', () => {
    const r = rig();
    r.timers.advance(100);
    r.state.broken = true;
    r.timers.advance(POLL_MS * (FAILURES_GONE - 1));
    assert.deepEqual(r.statuses, [], 'a few failed reads are only counted');
    r.timers.advance(POLL_MS * 2);
    assert.deepEqual(r.statuses, [false]);
    assert.equal(r.touch.ok, false);
    assert.equal(r.state.closed, 1);
    assert.ok(r.touch.errors >= FAILURES_GONE);
    // Remade at 1 s, 2 s, 4 s ... while the chip does not answer; never more often.
    const madeBefore = r.state.made;
    r.timers.advance(FIRST_RETRY_MS * 7 + 100);
    assert.equal(r.state.made, madeBefore, 'the constructor throws: nothing made');
    const errors = r.touch.errors;
    assert.equal(errors - FAILURES_GONE, 3, `tries at 1, 2 and 4 s: ${errors}`);
    // Then at 15, 31, 63 s and every minute from there (123, 183, 243, 303 s).
    r.timers.advance(MAX_RETRY_MS * 5);
    assert.equal(r.touch.errors - errors, 7, 'doubling, capped at a minute');
    // The chip answers again: back once a read succeeds.
    r.state.broken = false;
    r.timers.advance(MAX_RETRY_MS + POLL_MS * 2);
    assert.deepEqual(r.statuses, [false, true]);
    assert.equal(r.touch.ok, true);
    r.touch.stop();
  });

  it('does not throw when the constructor fails at boot: gone at once, back when the chip answers', () => {
    const r = rig(true);
    assert.deepEqual(r.statuses, [false]);
    assert.match(r.warnings[0]!, /driver could not be made/);
    r.state.broken = false;
    r.timers.advance(FIRST_RETRY_MS + POLL_MS * 2);
    assert.deepEqual(r.statuses, [false, true]);
    r.state.pressed = { x: 5, y: 6 };
    r.timers.advance(100);
    r.state.pressed = undefined;
    r.timers.advance(POLL_MS * 2);
    assert.equal(r.taps.length, 1);
    r.touch.stop();
  });

  it('drops a press the failure cut off instead of reporting it as a tap', () => {
    const r = rig();
    r.state.pressed = { x: 1, y: 2 };
    r.timers.advance(100);
    r.state.broken = true;
    r.timers.advance(POLL_MS * (FAILURES_GONE + 1));
    assert.deepEqual(r.taps, []);
    r.touch.stop();
  });
});
