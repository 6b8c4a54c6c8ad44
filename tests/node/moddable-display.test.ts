// The device's display in the Moddable simulator (tests/moddable/moddable-display), where an SDK is
// installed: every pixel the app sent to the screen through Poco and the QR pixel loop, rebuilt
// from its trace, equals the desktop's rendering of the same display list (hosts/node/display into
// a Framebuffer), QR included, which decodes to the payment URL; a countdown tick and a cancel send
// only their boxes and never the QR; simulated touches hit-test to what the desktop says; and every
// screen is drawn under the ESP32's default memory limits (the app's creation).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsQR from 'jsqr';
import type { Language } from 'app/config/machine-config';
import { validateMachineConfig } from 'app/config/validate';
import type { MachineView } from 'app/sale/view';
import { changedBoxes } from 'app/screens/changed-boxes';
import type { Box, DisplayList } from 'app/screens/display-list';
import { hitTest } from 'app/screens/hit-test';
import { SAMPLE_PAYMENT_URL, sampleScreens } from 'app/screens/samples';
import { screen } from 'app/screens/screen';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { PixelFormat } from 'qr/pixel-sink';
import { Display, loadScreenFonts, SCREEN_FONT_FILES } from '../../hosts/node/display';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { buildForSimulator, skipWithoutModdable } from '../support/moddable';
import { projectRoot } from '../support/xs';
import { runSimulatorUntil, tracedLines } from './moddable-sim-run';

const NOW = 1_700_000_000_000; // as in the app
const ESP32_SLOTS = 4928;
const ESP32_CHUNK = 78848;
const SIM_SLOT_BYTES = 32;
const APP = join(projectRoot, 'tests/moddable/moddable-display');

const config = validateMachineConfig(JSON.parse(readFileSync(join(projectRoot, 'config/sample-machine.json'), 'utf8')));
const fonts = loadScreenFonts();
const context = { config, fonts: fonts.book };

function sampleView(label: string, name: string): MachineView {
  const [language, test] = label.split('-');
  const sample = sampleScreens(config, language as Language, NOW, test === 'test').find((entry) => entry.name === name);
  assert.ok(sample, `no sample ${name}`);
  return sample.view;
}

function desktop(list: DisplayList): Framebuffer {
  const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT, PixelFormat.RGB565LE);
  new Display(framebuffer, fonts).draw(list);
  return framebuffer;
}

/** The list the desktop draws for what the app traced as `shown <what>`. */
function expectedList(what: string): DisplayList {
  const [first, second] = what.split(' ');
  const payment = sampleView('nb', 'payment');
  if (first === 'step' && second === 'tick') return screen(payment, NOW + 1000, context);
  if (first === 'step' && second === 'cancel') {
    return screen({ ...payment, sale: { ...payment.sale, cancelling: true } as MachineView['sale'] }, NOW + 1000, context);
  }
  if (first === 'split') return screen(sampleView('nb', second), NOW, context);
  return screen(sampleView(first, second), NOW, context);
}

interface Shown { what: string; pixels: Framebuffer }
interface Frame { x: number; y: number; width: number; height: number; bytes: number }

/** Replays every traced frame into a framebuffer, keeping a copy at each `shown`, and the frames between markers. */
function replay(output: string): { shown: Shown[]; framesAfter: Map<string, Frame[]> } {
  const panel = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT, PixelFormat.RGB565LE);
  const shown: Shown[] = [];
  const framesAfter = new Map<string, Frame[]>();
  let frames: Frame[] = [];
  let open = false;
  for (const line of output.split('\n')) {
    if (line.startsWith('px ')) {
      const bytes = Buffer.from(line.slice(3), 'hex');
      panel.send(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, 0, bytes.byteLength);
    } else if (line.startsWith('frame ')) {
      const [x, y, width, height] = line.slice(6).split(' ').map(Number);
      panel.begin(x, y, width, height);
      open = true;
    } else if (line.startsWith('sent ')) {
      const [x, y, width, height, bytes] = line.slice(5).split(' ').map(Number);
      if (open) panel.end();
      open = false;
      frames.push({ x, y, width, height, bytes });
    } else if (line.startsWith('step ') && line.includes(' boxes ')) {
      frames = [];
      framesAfter.set(line.split(' ')[1], frames);
    } else if (line.startsWith('shown ')) {
      const copy = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT, PixelFormat.RGB565LE);
      copy.bytes.set(panel.bytes);
      shown.push({ what: line.slice(6), pixels: copy });
      frames = []; // a step's frames end where it is shown
    }
  }
  return { shown, framesAfter };
}

function differences(a: Framebuffer, b: Framebuffer): { count: number; first?: string } {
  let count = 0;
  let first: string | undefined;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (a.pixel(x, y) === b.pixel(x, y)) continue;
      if (count++ === 0) first = `${x},${y}: simulator ${a.pixel(x, y).toString(16)}, desktop ${b.pixel(x, y).toString(16)}`;
    }
  }
  return { count, first };
}

function inside(frame: Frame, box: Box): boolean {
  return frame.x >= box.x && frame.y >= box.y && frame.x + frame.width <= box.x + box.width && frame.y + frame.height <= box.y + box.height;
}

function overlaps(a: Box | Frame, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** `key=value` fields of a traced line. */
function fields(line: string): Record<string, number> {
  return Object.fromEntries([...line.matchAll(/(\w+)=([\d.]+)/g)].map(([, key, value]) => [key, Number(value)]));
}

describe('device display in the Moddable simulator (Poco, the QR pixel loop, touch)', function () {
  this.timeout(600_000);
  let output = '';
  let replayed: ReturnType<typeof replay>;

  before(async function () {
    skipWithoutModdable(this, 'draw the screens through Poco in its simulator');
    output = await runSimulatorUntil(await buildForSimulator(APP), /^display done.*$/m, 120);
    assert.match(output, /^display done/m, `the app did not finish:\n${output.split('\n').filter((line) => !line.startsWith('px ')).slice(-40).join('\n')}`);
    replayed = replay(output);
  });

  it('uses the desktop\'s font files for the same faces', () => {
    const source = readFileSync(join(projectRoot, 'hosts/moddable/fonts.ts'), 'utf8');
    for (const [id, file] of Object.entries(SCREEN_FONT_FILES)) assert.match(source, new RegExp(`${id}: '${file}'`));
  });

  it('draws every sample screen to the same pixels as the desktop (RGB565LE, every pixel)', () => {
    const screens = replayed.shown.filter((entry) => !entry.what.startsWith('step') && !entry.what.startsWith('split'));
    assert.ok(screens.length >= 45, `only ${screens.length} screens shown`);
    const wrong: string[] = [];
    for (const { what, pixels } of screens) {
      const { count, first } = differences(pixels, desktop(expectedList(what)));
      if (count) wrong.push(`${what}: ${count} pixels differ, first ${first}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('draws the same pixels when a small display list splits each screen into several Poco frames', () => {
    const split = tracedLines(output, 'split');
    assert.equal(split.length, 3);
    for (const line of split) assert.ok(fields(line).frames >= 2, `not split: ${line}`);
    for (const { what, pixels } of replayed.shown.filter((entry) => entry.what.startsWith('split'))) {
      const { count, first } = differences(pixels, desktop(expectedList(what)));
      assert.equal(count, 0, `${what}: first difference ${first}`);
    }
  });

  it('shows a payment QR that decodes to the payment URL, in every language and in test mode', () => {
    const payments = replayed.shown.filter((entry) => / payment$/.test(entry.what) && !entry.what.startsWith('split'));
    assert.ok(payments.length >= 6);
    for (const { what, pixels } of payments) {
      assert.equal(jsQR(pixels.toRgba(), SCREEN_WIDTH, SCREEN_HEIGHT)?.data, SAMPLE_PAYMENT_URL, what);
    }
  });

  it('redraws a countdown tick in its box only, one small frame, never the QR', () => {
    const payment = sampleView('nb', 'payment');
    const before = screen(payment, NOW, context);
    const after = screen(payment, NOW + 1000, context);
    const boxes = changedBoxes(before, after);
    assert.equal(boxes.length, 1);
    assert.equal(tracedLines(output, 'step').find((line) => line.startsWith('tick boxes')), `tick boxes ${JSON.stringify(boxes)}`);
    const frames = replayed.framesAfter.get('tick') ?? [];
    assert.equal(frames.length, 1);
    assert.ok(inside(frames[0], boxes[0]), JSON.stringify(frames[0]));
    assert.equal(frames[0].bytes, boxes[0].width * boxes[0].height * 2, 'the box\'s rows, and nothing else');
    assert.ok(!overlaps(frames[0], PAYMENT_QR_BOX));
    assert.match(tracedLines(output, 'step').join('\n'), /^tick ms=\d+ frames=1 qr=0$/m);
    const tick = replayed.shown.find((entry) => entry.what === 'step tick');
    assert.equal(differences(tick!.pixels, desktop(after)).count, 0, 'the panel after the tick equals a full redraw');
  });

  it('redraws Cancel being pressed in the button\'s boxes only, never the QR', () => {
    const frames = replayed.framesAfter.get('cancel') ?? [];
    assert.ok(frames.length >= 1);
    for (const frame of frames) assert.ok(!overlaps(frame, PAYMENT_QR_BOX), JSON.stringify(frame));
    assert.ok(frames.reduce((sum, frame) => sum + frame.bytes, 0) < 3 * 96 * 40 * 2);
    assert.match(tracedLines(output, 'step').join('\n'), /^cancel ms=\d+ frames=\d+ qr=0$/m);
    const cancel = replayed.shown.find((entry) => entry.what === 'step cancel');
    assert.equal(differences(cancel!.pixels, desktop(expectedList('step cancel'))).count, 0);
  });

  it('turns simulated touches (screen.context, as mcsim delivers clicks) into the desktop\'s hit-test answers', () => {
    assert.ok(output.includes('touch context function'), 'startTouch did not set screen.context');
    const idle = screen(sampleView('nb', 'idle'), NOW, context);
    const touches = tracedLines(output, 'touch').filter((line) => /^\d/.test(line));
    assert.equal(touches.length, idle.targets.length + idle.targets.filter((target) => target.holdMs > 0).length + 1);
    for (const line of touches) {
      const [x, y, holdMs, ...rest] = line.split(' ');
      const action = hitTest(idle, Number(x), Number(y), Number(holdMs));
      assert.equal(rest.join(' '), action ? JSON.stringify(action) : 'none', line);
    }
    assert.ok(touches.some((line) => line.endsWith('{"type":"service"}')), 'the long press reached service mode');
    assert.ok(touches.some((line) => / 2999 none$/.test(line)), 'a press just short of the hold did not');
    assert.ok(touches.some((line) => line.includes('"select"')));
    assert.ok(output.includes('touch stopped true'));
  });

  it('draws every screen within the ESP32\'s default heap (creation: 4928 slots, 78848 chunk bytes, no growth)', () => {
    const measures = tracedLines(output, 'measure');
    assert.equal(measures.length, sampleScreens(config, 'nb', NOW).length + 4 * 4 + 1, 'one line per screen of the app\'s plan');
    let peakLiveSlots = 0, peakLiveChunk = 0, peakDisplayList = 0;
    const rows: string[] = [];
    for (const line of measures) {
      const f = fields(line);
      peakLiveSlots = Math.max(peakLiveSlots, f.liveSlots / SIM_SLOT_BYTES);
      peakLiveChunk = Math.max(peakLiveChunk, f.liveChunk);
      peakDisplayList = Math.max(peakDisplayList, f.dl);
      assert.ok(f.slots / SIM_SLOT_BYTES <= ESP32_SLOTS + 64 && f.chunk <= ESP32_CHUNK + 1024, `beyond the creation: ${line}`);
      rows.push(`${line.split(' ').slice(0, 2).join(' ')}: build ${f.build} ms, draw ${f.draw} ms, redraw ${f.redraw} ms, ${f.frames} frame(s), live ${f.liveSlots / SIM_SLOT_BYTES} slots ${f.liveChunk} chunk bytes`);
    }
    if (process.env.MODDABLE_DISPLAY_REPORT) console.log(rows.join('\n'));
    console.log(`      peak live after GC: ${peakLiveSlots} slots, ${peakLiveChunk} chunk bytes; Poco display list ${peakDisplayList} bytes (64-bit)`);
    assert.ok(peakLiveSlots < ESP32_SLOTS / 2, `${peakLiveSlots} live slots`);
    assert.ok(peakLiveChunk < ESP32_CHUNK / 2, `${peakLiveChunk} live chunk bytes`);
  });
});
