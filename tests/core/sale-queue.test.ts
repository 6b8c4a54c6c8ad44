// Money holes of the queue, the token and the create (issue 14): the clock set late, a token
// renewal that hangs, a create answered 409 late, a 404 for a create still in flight, captures
// pending too long. On the manual clock against the in-memory service, through the real client
// (Node and XS).
import assert from 'node:assert/strict';
import { EpaymentClient } from 'epayment/client';
import { TransportError } from 'epayment/errors';
import type { HttpRequest, HttpResponse, HttpTransport } from 'epayment/http-transport';
import type { KeyValueStore } from 'ports/store';
import { VendingMachine } from 'app/sale/machine';
import { CUT_KINDS, PowerCutStore } from '../support/power-cut-store';
import { FakeService, problem, RecordingLog, testConfig } from './epayment-fakes';
import { CountingRandom, FakePins, payment, rig, runUntil, testMachineConfig, TestSecrets, until, type Rig } from './sale-fixtures';
import type { ManualClock } from '../support/manual-clock';

/** What stands between a machine and the service: nothing once the power is gone, refused without the clock (no TLS); counts refused API calls. */
class HostTransport implements HttpTransport {
  dead = false;
  clockSet = true;
  refused = 0;
  constructor(private readonly service: FakeService) {}
  request(request: HttpRequest): Promise<HttpResponse> {
    if (this.dead) return new Promise(() => {});
    if (!this.clockSet) {
      if (!request.url.endsWith('/accesstoken/get')) this.refused++;
      return Promise.reject(new TransportError('network', 'clock not set: TLS refused'));
    }
    return this.service.request(request);
  }
}

function boot(clock: ManualClock, service: FakeService, store: KeyValueStore, transport = new HostTransport(service), log = new RecordingLog()) {
  const machine = new VendingMachine({
    config: testMachineConfig(),
    api: new EpaymentClient(testConfig({ log }), transport, clock),
    store,
    clock,
    random: new CountingRandom(),
    pins: new FakePins(clock),
    secrets: new TestSecrets(),
    log,
  });
  return { machine, transport, log };
}

const idle = (machine: VendingMachine) => machine.view.sale.screen === 'idle';

/** Somebody else's payment under `reference` (another machine, another merchant system): its create had another key. */
function foreignPayment(service: FakeService, reference: string): void {
  service.payments.set(reference, { reference, state: 'CREATED', amount: { currency: 'NOK', value: 9900 }, captured: 0, cancelled: 0, refunded: 0, createKey: 'another-system-create-key' });
}

/** Every create is held by the service for `holdMs` before it lands (whoever has hung up by then); none is answered. */
function holdCreates(service: FakeService, clock: ManualClock, holdMs: number, count = 8): void {
  const held = (request: HttpRequest) => new Promise<HttpResponse>(() => {
    const body = JSON.parse(request.body!);
    clock.setTimeout(() => {
      if (!service.payments.has(body.reference)) service.payments.set(body.reference, { reference: body.reference, state: 'CREATED', amount: body.amount, captured: 0, cancelled: 0, refunded: 0, createKey: request.headers['Idempotency-Key'] });
    }, holdMs);
  });
  service.script('create', ...Array.from({ length: count }, () => held));
}

describe('the queue: clock and network', () => {
  it('a recovery cancel leaves at once when the clock is set late; tries without it never count', async () => {
    const first = rig();
    await runUntil(first, () => idle(first.machine));
    first.machine.act({ type: 'select', product: 'water' });
    await until(first, 'payment');
    const reference = (first.machine.view.sale as { reference: string }).reference;
    first.machine.stop(); // the power goes with the QR up

    // The new boot has no clock yet (SNTP answers late): nothing can leave.
    const transport = new HostTransport(first.service);
    transport.clockSet = false;
    const { machine } = boot(first.clock, first.service, first.store, transport);
    machine.setClockSet(false);
    machine.start();
    await first.clock.advance(150_000);
    assert.equal(payment(first, reference).state, 'CREATED');
    assert.equal(transport.refused, 0, 'no queue try while the clock is not set');
    assert.deepEqual(machine.status().pending.map((item) => item.tries), [0]);

    const cancelsBefore = first.service.count('cancel');
    transport.clockSet = true;
    machine.setClockSet(true);
    const setAt = first.clock.now();
    await runUntil({ clock: first.clock } as never, () => first.service.count('cancel') > cancelsBefore, 60_000, 50);
    assert.ok(first.clock.now() - setAt <= 200, `the cancel left ${first.clock.now() - setAt} ms after the clock was set`);
    await runUntil({ clock: first.clock } as never, () => machine.journal.queue.length === 0, 10_000);
    assert.equal(payment(first, reference).state, 'TERMINATED');
    machine.stop();
  });

  it('tries while the network is down do not count toward the backoff', async () => {
    const first = rig();
    await runUntil(first, () => idle(first.machine));
    first.machine.act({ type: 'select', product: 'water' });
    await until(first, 'payment');
    first.machine.stop();
    const { machine, transport } = boot(first.clock, first.service, first.store);
    machine.setNetwork(false);
    transport.clockSet = false; // refuses, as a cable pulled would
    machine.start();
    await first.clock.advance(600_000);
    assert.equal(transport.refused, 0);
    assert.deepEqual(machine.status().pending.map((item) => item.tries), [0]);
    transport.clockSet = true;
    const cancelsBefore = first.service.count('cancel');
    machine.setNetwork(true);
    await first.clock.advance(100);
    assert.equal(first.service.count('cancel'), cancelsBefore + 1);
    machine.stop();
  });
});

describe('the create and the token', () => {
  it('a create inside the renewal window does not wait for a token endpoint that hangs', async () => {
    const r = rig();
    await runUntil(r, () => idle(r.machine));
    // Into the renewal window (5 minutes before the hour-long token's end), the token endpoint hanging.
    r.service.script('token', 'hang', 'hang', 'hang', 'hang');
    await r.clock.advance(3600_000 - 240_000);
    const before = r.service.count('create');
    const tapped = r.clock.now();
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'payment', 20_000, 10);
    assert.equal(r.service.count('create'), before + 1);
    assert.ok(r.clock.now() - tapped <= 100, `the QR came ${r.clock.now() - tapped} ms after the tap`);
  });
});

describe('the queue: a create answered 409 belongs to somebody else', () => {
  it('a create held past its deadline and then answered 409: no cancel reaches the other payment', async () => {
    const r = rig();
    await runUntil(r, () => idle(r.machine));
    // The reference is somebody else's; the service answers the create 409, 9 s late.
    r.service.script('create', (request) => {
      foreignPayment(r.service, JSON.parse(request.body!).reference);
      return new Promise((resolve) => r.clock.setTimeout(() => resolve(problem(409, '4150')), 9_000));
    });
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'error', 20_000);
    const reference = (r.machine.view.sale as { reference: string }).reference;
    await runUntil(r, () => r.machine.journal.queue.length === 0, 120_000);
    await r.clock.advance(60_000);
    assert.equal(r.service.count('cancel'), 0, 'no cancel for somebody else\'s payment');
    assert.equal(payment(r, reference).state, 'CREATED');
    assert.equal(r.machine.journal.salesLog().at(-1)?.outcome, 'failed');
  });

  it('a power cut between the 409 and the sale\'s end: the rebooted machine cancels nothing either', async () => {
    for (const [write, how] of [2, 3].flatMap((n) => CUT_KINDS.map((kind) => [n, kind] as const))) {
      const r = rig();
      await runUntil(r, () => idle(r.machine));
      r.machine.stop();
      const flash = r.store;
      const store = new PowerCutStore(flash);
      const first = boot(r.clock, r.service, store);
      first.machine.start();
      await runUntil({ clock: r.clock } as never, () => idle(first.machine), 10_000);
      r.service.script('create', (request) => {
        foreignPayment(r.service, JSON.parse(request.body!).reference);
        return problem(409, '4150');
      });
      // The sale writes: the sale begun (1), the log entry (2), the sale closed (3); the cut takes one after the 409.
      store.cutAtWrite(write, how);
      first.machine.act({ type: 'select', product: 'water' });
      await r.clock.advance(2_000);
      first.transport.dead = true;
      first.machine.stop();
      assert.ok(store.isDead, `cut ${how} at write ${write}`);
      const { machine } = boot(r.clock, r.service, flash);
      machine.start();
      await runUntil({ clock: r.clock } as never, () => machine.journal.queue.length === 0 && machine.journal.openSale === undefined, 120_000);
      assert.equal(r.service.count('cancel'), 0, `cut ${how} at write ${write}: no cancel for somebody else's payment`);
      for (const p of r.service.payments.values()) assert.equal(p.state, 'CREATED');
      machine.stop();
    }
  });
});

describe('the queue: a 404 for a create that may still land', () => {
  it('a create held past the client\'s last try: the cancel waits for it, then cancels it', async () => {
    const r = rig();
    await runUntil(r, () => idle(r.machine));
    holdCreates(r.service, r.clock, 60_000);
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'error', 20_000);
    const reference = (r.machine.view.sale as { reference: string }).reference;
    await r.clock.advance(50_000);
    assert.equal(r.service.payments.has(reference), false, 'not landed yet');
    assert.equal(r.machine.journal.queue.length, 1, 'a 404 while the create may land is "not yet"');
    await runUntil(r, () => r.machine.journal.queue.length === 0, 900_000, 500);
    assert.equal(payment(r, reference).state, 'TERMINATED', 'the late create was found and cancelled');
  });

  it('a create held 15 s, the power cut at 9 s: the rebooted machine looks again until it lands', async () => {
    const r = rig();
    await runUntil(r, () => idle(r.machine));
    r.machine.stop();
    const first = boot(r.clock, r.service, r.store);
    first.machine.start();
    await runUntil({ clock: r.clock } as never, () => idle(first.machine), 10_000);
    holdCreates(r.service, r.clock, 15_000);
    first.machine.act({ type: 'select', product: 'water' });
    await r.clock.advance(9_000);
    const reference = first.machine.journal.queue[0]?.reference ?? first.machine.journal.openSale?.reference;
    assert.ok(reference);
    first.transport.dead = true;
    first.machine.stop();
    const { machine } = boot(r.clock, r.service, r.store);
    machine.start();
    await r.clock.advance(5_000);
    assert.equal(machine.journal.queue.length, 1, 'kept pending across the reboot');
    await runUntil({ clock: r.clock } as never, () => machine.journal.queue.length === 0, 900_000, 500);
    assert.equal(payment(r, reference).state, 'TERMINATED');
    assert.equal(machine.journal.salesLog().at(-1)?.outcome, 'cancelled');
    machine.stop();
  });

  it('a create whose every try was answered (500) can no longer land: its 404 is final at once, nothing cancelled', async () => {
    const r = rig();
    await runUntil(r, () => idle(r.machine));
    r.service.script('create', problem(500), problem(500), problem(500), problem(500));
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'error', 20_000);
    const started = r.clock.now();
    await runUntil(r, () => r.machine.journal.queue.length === 0, 60_000, 500);
    assert.ok(r.clock.now() - started < 5_000, `closed after ${r.clock.now() - started} ms`);
    assert.equal(r.service.count('cancel'), 0);
    assert.equal(r.machine.journal.salesLog().at(-1)?.outcome, 'cancelled');
  });

  it('one try of the create unanswered (a gateway\'s 502) and it may still land: the 404 is "not yet"', async () => {
    const r = rig();
    await runUntil(r, () => idle(r.machine));
    r.service.script('create', problem(500), problem(502), problem(500), problem(500));
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'error', 20_000);
    await r.clock.advance(120_000);
    assert.equal(r.machine.journal.queue.length, 1, 'still looking two minutes on');
  });

  it('once the create can no longer land, a 404 means it never existed', async () => {
    const r = rig();
    await runUntil(r, () => idle(r.machine));
    r.service.script('create', 'hang', 'hang', 'hang', 'hang');
    r.machine.act({ type: 'select', product: 'water' });
    await until(r, 'error', 20_000);
    const started = r.clock.now();
    await runUntil(r, () => r.machine.journal.queue.length === 0, 900_000, 1000);
    const waited = r.clock.now() - started;
    // The client's create window (8 s, its deadline) plus the payment's lifetime (600 s).
    assert.ok(waited >= 600_000 && waited <= 625_000, `dropped after ${waited} ms`);
    assert.equal(r.service.count('cancel'), 0, 'nothing to cancel: never there');
    assert.equal(r.machine.journal.salesLog().at(-1)?.outcome, 'cancelled');
  });
});

/** A sale the customer approves whose captures the service refuses (503) `times` times: it ends on thank-you with the capture queued. */
async function approvedWithFailingCaptures(r: Rig, times: number, beforeEnd: (reference: string) => void = () => {}): Promise<string> {
  await runUntil(r, () => idle(r.machine));
  r.machine.act({ type: 'select', product: 'water' });
  await until(r, 'payment');
  const reference = (r.machine.view.sale as { reference: string }).reference;
  r.service.script('capture', ...Array.from({ length: times }, () => problem(503)));
  r.service.setState(reference, 'AUTHORIZED');
  beforeEnd(reference);
  await until(r, 'thank-you', 30_000);
  return reference;
}

describe('the queue: late captures', () => {
  it('a capture pending over 24 h: one error line, and the status says so (pending[].late, lateCaptures); still in service', async () => {
    const r = rig();
    const reference = await approvedWithFailingCaptures(r, 400);
    await r.clock.advance(23 * 3600_000);
    assert.equal(r.machine.status().lateCaptures, 0);
    await r.clock.advance(2 * 3600_000);
    const status = r.machine.status();
    assert.equal(status.lateCaptures, 1);
    assert.deepEqual(status.pending.map((item) => [item.operation, item.late]), [['capture', true]]);
    assert.equal(status.inService, true);
    await r.clock.advance(5 * 3600_000);
    const lines = r.log.lines.filter((line) => line.startsWith('error ') && line.includes(`capture ${reference} late`));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /pending 2[45] h/);
  });

  it('a capture within 48 h of its guarantee is late at once', async () => {
    const r = rig();
    await approvedWithFailingCaptures(r, 20, (reference) => {
      payment(r, reference).guaranteedUntil = new Date(r.clock.now() + 40 * 3600_000).toISOString();
    });
    await r.clock.advance(20_000);
    assert.equal(r.machine.status().lateCaptures, 1);
    assert.ok(r.log.lines.some((line) => line.startsWith('error ') && /late: .*guaranteed for 39 h more/.test(line)), r.log.lines.join('\n'));
  });

  it('the late flag survives a reboot: the sale\'s time is in the queue record', async () => {
    const r = rig();
    await approvedWithFailingCaptures(r, 400);
    await r.clock.advance(20 * 3600_000);
    r.machine.stop();
    const again = rig({ from: r });
    await again.clock.advance(6 * 3600_000);
    assert.equal(again.machine.status().lateCaptures, 1);
  });
});
