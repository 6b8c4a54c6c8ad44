// The simulator's test driver (the ESP32 build maps esp32/test-driver, which does nothing) (tests/node/moddable-sale.test.ts, tools/firmware): with mc/config
// `testDriver=1` it reads a plan from Preference (domain `<domain>-tst`, key `plan`, JSON
// {"tap": product id, "sales": n, "delays": [ms before each tap], "hang": "pulse", "gcSale": n})
// and, each time the machine is idle and in service, taps the product through hit-testing as a
// finger would. The taps done are kept beside the plan, so a restart after a kill does not tap
// again. Every line it traces starts with "test ":
//   test tap <sale> <product>
//   test qr <sale> ms <tap to QR drawn> requests <n> connections <n> ref <reference>
//   test qr-url <text the QR encodes>        test qr-matrix <size> <0/1 modules, row by row>
//   test mem idle slotBytes <live> chunkBytes <live>   (once, at the first idle screen)
//   test mem <sale> slotBytes <peak> chunkBytes <peak> stackBytes <peak> live <0|1> samples <n>
//   test sale <sale> end <last result screen>
//   test hang pulse <pin>                    (the plan's hang: a pulse that never ends)
// Memory is sampled at every step of a sale: each change of the controller's view, each API
// exchange settling, each paint. In the sale named by `gcSale` (default 1) the garbage is collected
// first, so the figures are what is live, and a timer samples every 10 ms besides, between the
// TLS handshake's callbacks too; in the other sales nothing is collected (their timing stays
// honest). "XS Stack Used" is the deepest the stack went since the simulator's last once-a-second
// instruments line.
import Debug from 'debug';
import Instrumentation from 'instrumentation';
import Time from 'time';
import Timer from 'timer';
import type { TestDriverLike, TestHooks } from 'hosts/moddable/link-types';

export interface TestPlan {
  tap?: string;
  sales?: number;
  delays?: number[];
  hang?: 'pulse';
  gcSale?: number;
}

const RESULT_SCREENS = (): RegExp => /^(thank-you|cancelled|expired|aborted|not-charged|error|reversing)$/;
const SLOTS = Instrumentation.map('XS Slot Heap Used');
const CHUNKS = Instrumentation.map('XS Chunk Heap Used');
const STACK = Instrumentation.map('XS Stack Used');

export class TestDriver implements TestDriverLike {
  readonly plan: TestPlan;
  private done: number;
  private tapTimer: Timer | undefined;
  private sale = 0;
  private tappedAt = 0;
  private requestsAtTap = 0;
  private connectionsAtTap = 0;
  private qrTraced = false;
  private lastResult = '';
  private lastScreen = '';
  private peak = { slots: 0, chunk: 0, stack: 0, samples: 0 };
  private idleTraced = false;
  private sampler: Timer | undefined;

  constructor(private readonly hooks: TestHooks) {
    let plan: TestPlan = {};
    try {
      plan = JSON.parse(hooks.store.get('plan') ?? '{}') as TestPlan;
    } catch {
      trace('test plan unreadable\n');
    }
    this.plan = plan;
    this.done = Number(hooks.store.get('done') ?? '0');
    trace(`test plan ${JSON.stringify(plan)} done ${this.done}\n`);
  }

  /** The controller's view changed. */
  changed(): void {
    const sale = this.hooks.view().sale;
    if (sale.screen === 'idle' && !this.idleTraced) {
      // What the machine holds between sales, garbage collected first.
      this.idleTraced = true;
      Debug.gc();
      trace(`test mem idle slotBytes ${Instrumentation.get(SLOTS) ?? 0} chunkBytes ${Instrumentation.get(CHUNKS) ?? 0}\n`);
    }
    if (sale.screen !== this.lastScreen) {
      if (RESULT_SCREENS().test(sale.screen)) this.lastResult = sale.screen;
      if (sale.screen === 'idle' && this.sale > 0 && this.lastResult) {
        if (this.sampler !== undefined) Timer.clear(this.sampler);
        this.sampler = undefined;
        trace(`test mem ${this.sale} slotBytes ${this.peak.slots} chunkBytes ${this.peak.chunk} stackBytes ${this.peak.stack} live ${this.live() ? 1 : 0} samples ${this.peak.samples}\n`);
        trace(`test sale ${this.sale} end ${this.lastResult}\n`);
        this.lastResult = '';
      }
      this.lastScreen = sale.screen;
    }
    this.sample();
    this.maybeTap();
  }

  /** An API exchange settled. */
  exchanged(): void {
    this.sample();
  }

  /** The screen loop painted. */
  painted(): void {
    this.sample();
    const sale = this.hooks.view().sale;
    if (sale.screen !== 'payment' || this.qrTraced || this.hooks.qrDraws() === 0) return;
    this.qrTraced = true;
    const ms = Time.ticks - this.tappedAt;
    trace(`test qr ${this.sale} ms ${ms} requests ${this.hooks.requests() - this.requestsAtTap} connections ${this.hooks.connections() - this.connectionsAtTap} ref ${sale.reference}\n`);
    trace(`test qr-url ${sale.redirectUrl}\n`);
    const matrix = this.hooks.drawnQr();
    if (matrix) {
      // One buffer of '0'/'1' bytes and one string: a join would make a string per module.
      const digits = new Uint8Array(matrix.modules.length);
      for (let i = 0; i < digits.length; i++) digits[i] = 48 + matrix.modules[i]!;
      trace(`test qr-matrix ${matrix.size} ${String.fromArrayBuffer(digits.buffer)}\n`);
    }
  }

  /** Whether pulses should hang (the watchdog test). */
  get hangPulses(): boolean {
    return this.plan.hang === 'pulse';
  }

  private live(): boolean {
    return this.sale === (this.plan.gcSale ?? 1);
  }

  private sample(): void {
    if (this.sale === 0) return;
    if (this.live()) Debug.gc();
    const slots = Instrumentation.get(SLOTS) ?? 0;
    const chunk = Instrumentation.get(CHUNKS) ?? 0;
    const stack = Instrumentation.get(STACK) ?? 0;
    if (slots > this.peak.slots) this.peak.slots = slots;
    if (chunk > this.peak.chunk) this.peak.chunk = chunk;
    if (stack > this.peak.stack) this.peak.stack = stack;
    this.peak.samples++;
  }

  private maybeTap(): void {
    const { tap } = this.plan;
    if (!tap || this.tapTimer !== undefined || this.done >= (this.plan.sales ?? 1)) return;
    if (this.hooks.view().sale.screen !== 'idle' || !this.hooks.inService()) return;
    const delay = this.plan.delays?.[this.done] ?? 1000;
    this.tapTimer = Timer.set(() => {
      this.tapTimer = undefined;
      if (this.hooks.view().sale.screen !== 'idle' || !this.hooks.inService()) return;
      this.tapNow(tap);
    }, delay);
  }

  private tapNow(product: string): void {
    const target = this.hooks.list()?.targets.find((candidate) => candidate.action.type === 'select' && candidate.action.product === product);
    if (!target) {
      trace(`test tap ${this.done + 1} ${product} not on screen\n`);
      return;
    }
    const x = target.box.x + (target.box.width >> 1);
    const y = target.box.y + (target.box.height >> 1);
    const action = this.hooks.touch(x, y, 0);
    if (!action) return;
    // Counted before the tap: a kill from here on must not lead to a second sale after the restart.
    this.done++;
    this.hooks.store.set('done', String(this.done));
    this.sale = this.done;
    this.peak = { slots: 0, chunk: 0, stack: 0, samples: 0 };
    this.qrTraced = false;
    this.lastResult = '';
    trace(`test tap ${this.sale} ${product}\n`);
    this.tappedAt = Time.ticks;
    this.requestsAtTap = this.hooks.requests();
    this.connectionsAtTap = this.hooks.connections();
    if (this.live()) this.sampler = Timer.repeat(() => this.sample(), 10);
    this.hooks.act(action);
  }
}

export function startTestDriver(hooks: TestHooks): TestDriverLike | undefined {
  return new TestDriver(hooks);
}
