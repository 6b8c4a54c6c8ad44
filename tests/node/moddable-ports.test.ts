// The Moddable host's small ports in the simulator, under the ESP32's default memory limits: the
// KeyValueStore on Preference (limits refused before Preference sees them, values that survive a
// restart), the Pins stand-in (pulses timed without blocking, drops reported or not on demand),
// the Clock (timer order, a 32-bit tick counter unwrapped) and the Random (differs between runs,
// though the simulator's Math.random does not). Runs where the SDK is installed (MODDABLE set).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildForSimulator, skipWithoutModdable } from '../support/moddable';
import { projectRoot } from '../support/xs';
import { runSimulatorUntil, tracedLines } from './moddable-sim-run';

/** Where the simulator's Preference keeps every app's values on Linux (mc/config file.root). */
const PREFERENCES_FILE = '/tmp/modpreferences.json';
const DOMAINS = ['qrvend-test', 'qrvend-testblob'];

/** Removes the test's domains from the shared preferences file, leaving other apps' alone. */
function cleanDomains(): void {
  if (!existsSync(PREFERENCES_FILE)) return;
  const all = JSON.parse(readFileSync(PREFERENCES_FILE, 'utf8')) as Record<string, unknown>;
  for (const domain of DOMAINS) delete all[domain];
  writeFileSync(PREFERENCES_FILE, JSON.stringify(all));
}

function storedDomains(): Record<string, Record<string, unknown>> {
  return existsSync(PREFERENCES_FILE) ? JSON.parse(readFileSync(PREFERENCES_FILE, 'utf8')) : {};
}

describe('Moddable host ports: store, pins, clock, random (simulator)', function () {
  this.timeout(180_000);
  let first = '';
  let second = '';
  let afterFirst: Record<string, unknown> | undefined;
  const runId = String(Date.now());
  const line = (output: string, prefix: string, pattern: RegExp): RegExpMatchArray => {
    const found = tracedLines(output, prefix).map((text) => pattern.exec(text)).find((match) => match);
    assert.ok(found, `no "${prefix}" line matching ${pattern} in:\n${output.slice(0, 3000)}`);
    return found;
  };

  before(async function () {
    skipWithoutModdable(this, 'run the host ports in its simulator');
    const mcSo = await buildForSimulator(join(projectRoot, 'tests/moddable/moddable-ports'), [`runId=${runId}`]);
    cleanDomains();
    first = await runSimulatorUntil(mcSo, /ports-sim (done|failed)/, 30);
    afterFirst = storedDomains()['qrvend-test'];
    second = await runSimulatorUntil(mcSo, /ports-sim (done|failed)/, 30);
    if (process.env.QRVEND_SIM_LOG) console.log(first, second);
  });

  after(() => {
    if (process.env.MODDABLE) cleanDomains();
  });

  it('runs twice: first with an empty domain, then finding what the first run left', () => {
    assert.match(first, /ports-sim done first/, first.slice(0, 3000));
    assert.match(second, /ports-sim done second/, second.slice(0, 3000));
  });

  it('stores, reads back and deletes values, a 4000-byte UTF-8 one included', () => {
    for (const check of ['get plain true', 'get unicode true', 'get full true 3999', 'get gone true', 'kept plain true', 'blob true']) {
      assert.ok(tracedLines(first, 'store').includes(check), `store ${check}`);
    }
    assert.equal(line(first, 'store', /^keys (.*)$/)[1], 'full,plain,survives,unicode');
    assert.equal((afterFirst?.full as string).length, 3999);
  });

  it('refuses a 16-character, an empty and a non-ASCII key and a 4001-byte value, writing nothing', () => {
    for (const what of ['key-16', 'key-empty', 'key-non-ascii', 'value-4001']) {
      assert.ok(tracedLines(first, 'store').includes(`refuse ${what} yes RangeError`), what);
    }
    assert.equal(afterFirst?.plain, 'hello');
  });

  it('keeps the values across a restart of the simulator, and cleans up', () => {
    assert.ok(tracedLines(second, 'store').includes(`after restart survives run ${runId}`), 'the second run did not find the first run\'s value');
    assert.ok(tracedLines(second, 'store').includes('after restart plain true full 3999'));
    assert.ok(tracedLines(second, 'store').includes('cleaned 0'));
    assert.equal(storedDomains()['qrvend-test'], undefined);
  });

  it('creates outputs inactive and pulses them with a timer, refusing an overlapping pulse', () => {
    const pins = tracedLines(first, 'pin');
    assert.ok(pins.indexOf('26 output active-high inactive') < pins.indexOf('26 pulse 300 ms'));
    assert.ok(pins.includes('27 output active-low inactive'));
    const done = Number(line(first, 'pin', /^26 pulse done (\d+) ms$/)[1]);
    assert.ok(done >= 300 && done < 400, `pulse of ${done} ms`);
    assert.ok(tracedLines(first, 'pins').includes('overlapping pulse refused'));
    const tick = Number(line(first, 'pins', /^tick during pulse (\d+) ms$/)[1]);
    assert.ok(tick >= 100 && tick < 250, 'the event loop was blocked during the pulse');
  });

  it('reports a drop or none as told, within the wait\'s timeout', () => {
    const pins = tracedLines(first, 'pins');
    for (const check of ['drop default true', 'drop none false', 'drop pin true', 'drop late false']) assert.ok(pins.includes(check), check);
    const waits = tracedLines(first, 'pin').filter((text) => text.startsWith('32 drop '));
    assert.equal(waits.length, 4);
    assert.match(waits[0]!, /^32 drop yes ([5-9]\d) ms$/);
    assert.match(waits[1]!, /^32 drop no 3\d\d ms$/);
    assert.match(waits[2]!, /^32 drop yes 1[2-9]\d ms$/);
    assert.match(waits[3]!, /^32 drop no 2\d\d ms$/);
  });

  it('fires timers in order, clears one, stays monotonic and unwraps the ESP32\'s 32-bit ticks', () => {
    assert.match(first, /clock order 10,30 elapsed \d+\n/);
    assert.match(first, /clock monotonic true/);
    // int32 ticks crossing 2^31 and wrapping, a step back held, then a later reading.
    assert.match(first, /clock unwrap 2147483647,2147483648,2147484296,2147484296,4294968396\n/);
  });

  it('gives other random values on every start, though Math.random repeats in the simulator', () => {
    const values = (output: string) => line(output, 'random', /^values (\S+) range true high (\d+)$/);
    const [a, b] = [values(first), values(second)];
    assert.notEqual(a[1], b[1]);
    assert.ok(Number(a[2]) > 400 && Number(a[2]) < 600, `${a[2]} of 1000 values in the upper half`);
    const math = (output: string) => line(output, 'random', /^math (\S+)$/)[1];
    console.log(`      Math.random in the simulator, first values of two starts: ${math(first)} / ${math(second)}`);
  });
});
