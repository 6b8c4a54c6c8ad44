// The fault matrix (tools/faults) in its default size, as part of npm test: power cuts at journal
// writes crossed with payment outcomes and API faults, against the emulator over real sockets,
// with 0 money-rule violations. Also: the checks themselves catch each kind of violation, and a
// sabotaged machine is caught end to end (a matrix that cannot fail proves nothing).
import assert from 'node:assert/strict';
import { checkScenario, type ScenarioFacts } from '../../tools/faults/checks';
import { runMatrix } from '../../tools/faults/matrix';
import { runScenario } from '../../tools/faults/run-scenario';
import { findScenario, fullMatrix, smallMatrix, universe } from '../../tools/faults/scenarios';
import { startEmulator } from '../../tools/emulator/index';
import type { PaymentRecord } from '../../tools/emulator/index';

const NOK = (value: number) => ({ currency: 'NOK', value });

function payment(reference: string, authorized: number, captured: number, cancelled: number, extra: Partial<PaymentRecord> = {}): PaymentRecord {
  const events = [{ name: 'CREATED', success: true }, ...(authorized ? [{ name: 'AUTHORIZED', success: true }] : []), ...(captured ? [{ name: 'CAPTURED', success: true }] : [])];
  return {
    reference,
    state: authorized ? 'AUTHORIZED' : 'CREATED',
    amount: NOK(2500),
    aggregate: { authorizedAmount: NOK(authorized), capturedAmount: NOK(captured), cancelledAmount: NOK(cancelled), refundedAmount: NOK(0) },
    events: events.map((event) => ({ ...event, amount: NOK(2500), timestamp: '', pspReference: '' })),
    ...extra,
  } as PaymentRecord;
}

function facts(overrides: Partial<ScenarioFacts>): ScenarioFacts {
  return { payments: [], pulses: [], released: new Set(), confirmed: new Set(), queue: [], openSale: undefined, salesLog: [], ended: true, text: [], secrets: ['client-S3cret-0123'], foreign: new Set(), clockSets: [], ...overrides };
}

const REF = 'fm-1-1';
const item = (operation: 'capture' | 'cancel', overdue = false) => ({ operation, reference: REF, amount: 2500, currency: 'NOK', product: 'item', time: 0, overdue });

describe('fault matrix: the money-rule checks', () => {
  it('a clean capture and a clean cancel pass', () => {
    assert.deepEqual(checkScenario(facts({ payments: [payment(REF, 2500, 2500, 0)], released: new Set([REF]), confirmed: new Set([REF]), pulses: [{ machine: 1, reference: REF, reservedAtPulse: 2500, state: 'AUTHORIZED' }] })), []);
    assert.deepEqual(checkScenario(facts({ payments: [payment(REF, 2500, 0, 2500)] })), []);
  });

  it('catches a capture without a confirmed release', () => {
    const found = checkScenario(facts({ payments: [payment(REF, 2500, 2500, 0)], released: new Set([REF]) }));
    assert.match(found.join('\n'), /captured 2500 without a confirmed release/);
  });

  it('catches two captures', () => {
    const twice = payment(REF, 2500, 5000, 0);
    assert.match(checkScenario(facts({ payments: [twice], released: new Set([REF]), confirmed: new Set([REF]) })).join('\n'), /captured twice/);
  });

  it('catches money left reserved with nothing queued, not when a settlement is queued', () => {
    assert.match(checkScenario(facts({ payments: [payment(REF, 2500, 0, 0)] })).join('\n'), /2500 left reserved/);
    assert.deepEqual(checkScenario(facts({ payments: [payment(REF, 2500, 0, 0)], queue: [item('cancel')] })), []);
  });

  it('catches a confirmed release neither captured nor pending; an overdue capture (6260) or the deadline is expected', () => {
    const released = { released: new Set([REF]), confirmed: new Set([REF]) };
    assert.match(checkScenario(facts({ payments: [payment(REF, 2500, 0, 0)], queue: [item('cancel')], ...released })).join('\n'), /neither captured/);
    assert.deepEqual(checkScenario(facts({ payments: [payment(REF, 2500, 0, 0)], queue: [item('capture', true)], ...released })), []);
    assert.deepEqual(checkScenario(facts({ payments: [payment(REF, 2500, 0, 2500, { cancelledAtDeadline: true })], ...released })), []);
    assert.match(checkScenario(facts({ payments: [payment(REF, 2500, 0, 2500)], ...released })).join('\n'), /cancelled 2500 after a confirmed release/);
  });

  it('catches a release without money reserved, a release by a rebooted machine, a scenario that did not end, a secret in a log line', () => {
    const found = checkScenario(facts({
      pulses: [{ machine: 1, reference: REF, reservedAtPulse: 0, state: 'CREATED' }, { machine: 2, reference: REF, reservedAtPulse: 2500, state: 'AUTHORIZED' }],
      ended: false,
      text: ['1 warn token client-S3cret-0123 refused'],
    })).join('\n');
    assert.match(found, /released fm-1-1 while the service had CREATED/);
    assert.match(found, /rebooted machine 2 released/);
    assert.match(found, /did not end/);
    assert.match(found, /a secret in a log line or the journal: 1 warn token <secret> refused/);
  });
});

describe('fault matrix: the checks of issue 14', () => {
  it('catches a cancelled payment of another system, not an untouched one', () => {
    const foreign = new Set([REF]);
    assert.deepEqual(checkScenario(facts({ payments: [payment(REF, 0, 0, 0)], foreign })), []);
    const terminated = payment(REF, 0, 0, 0, { state: 'TERMINATED' });
    assert.match(checkScenario(facts({ payments: [terminated], foreign })).join('\n'), /a payment another system owns was cancelled or captured \(state TERMINATED\)/);
  });

  it('catches a payment left CREATED (payable) with nothing queued, not while its cancel is queued', () => {
    assert.match(checkScenario(facts({ payments: [payment(REF, 0, 0, 0)] })).join('\n'), /left CREATED \(payable\) with nothing queued/);
    assert.deepEqual(checkScenario(facts({ payments: [payment(REF, 0, 0, 0)], queue: [item('cancel')] })), []);
  });

  it('catches a create that waited for the token, and a queue that tried without a clock or left late after it was set', () => {
    assert.match(checkScenario(facts({ tapToCreateMs: 1600 })).join('\n'), /the create reached the service 1600 ms after the tap/);
    assert.deepEqual(checkScenario(facts({ tapToCreateMs: 12 })), []);
    const late = checkScenario(facts({ clockSets: [{ machine: 2, setAt: 1000, queueCalls: [{ at: 500, refused: true }, { at: 2600, refused: false }] }] })).join('\n');
    assert.match(late, /machine 2: the queue tried 1 time\(s\) before the clock was set/);
    assert.match(late, /machine 2: the queue's first call left 1600 ms after the clock was set/);
    assert.deepEqual(checkScenario(facts({ clockSets: [{ machine: 2, setAt: 1000, queueCalls: [{ at: 1010, refused: false }] }] })), []);
  });
});

describe('fault matrix: the stock, sensor and store checks', () => {
  const stocked = (left: number, extra: Partial<ScenarioFacts> = {}) => facts({ stock: { configured: 5, left }, releasesBegun: new Set([REF]), ...extra });

  it('counts a paid or released unit, and exactly the releases begun and not given back', () => {
    const paid = { payments: [payment(REF, 2500, 2500, 0)], released: new Set([REF]), confirmed: new Set([REF]), pulses: [{ machine: 1, reference: REF, reservedAtPulse: 2500, state: 'AUTHORIZED' }] };
    assert.deepEqual(checkScenario(stocked(4, paid)), []);
    assert.match(checkScenario(stocked(5, paid)).join('\n'), /1 paid but 0 counted/);
    assert.match(checkScenario(stocked(3, paid)).join('\n'), /2 units taken/);
    assert.match(checkScenario(stocked(4, { payments: [payment(REF, 2500, 0, 2500)], givenBack: new Set([REF]) })).join('\n'), /began 1 release\(s\) and gave 1 back/);
  });

  it('catches a release with the sensor stuck, a product left on sale, a failing store in service, a new sale on it, a start() that threw', () => {
    const found = checkScenario(facts({
      sensorStuck: true,
      pulses: [{ machine: 1, reference: REF, reservedAtPulse: 2500, state: 'AUTHORIZED' }],
      storeFailing: false,
      newSaleAfterEnd: true,
      bootErrors: ['StoreFault: flash write error'],
    })).join('\n');
    assert.match(found, /released 1 time\(s\) while the drop sensor read active/);
    assert.match(found, /not out of sale/);
    assert.match(found, /a new sale started with the drop sensor reading active/);
    assert.match(found, /start\(\) threw StoreFault/);
    assert.match(checkScenario(facts({ storeFailing: true })).join('\n'), /the journal's store fails, yet the machine is in service/);
    assert.deepEqual(checkScenario(facts({ storeFailing: true, outOfService: 'journal' })), []);
  });
});

describe('fault matrix: scenario lists', () => {
  it('are seeded and reproducible, ids replay, and --full has over 1,000 scenarios', () => {
    assert.deepEqual(smallMatrix(7).map((s) => s.id), smallMatrix(7).map((s) => s.id));
    assert.notDeepEqual(smallMatrix(7).map((s) => s.id), smallMatrix(8).map((s) => s.id));
    const full = fullMatrix(1);
    assert.ok(full.length >= 1000, `${full.length}`);
    for (const scenario of [...full.slice(0, 50), ...universe().slice(-50)]) assert.deepEqual(findScenario(scenario.id), scenario);
    assert.equal(findScenario('approve.nonsense.nocut'), undefined);
  });
});

describe('fault matrix against the emulator', function () {
  this.timeout(120_000);

  it('the default matrix: N > 0 scenarios, 0 violations', async () => {
    const scenarios = smallMatrix(1);
    const report = await runMatrix(scenarios, { concurrency: 16 });
    const failures = report.results.filter((result) => result.violations.length > 0).map((result) => `${result.scenario.id}: ${result.violations.join('; ')}\n  ${result.detail.join('\n  ')}`);
    assert.deepEqual(failures, []);
    assert.ok(report.scenarios > 20, `${report.scenarios} scenarios`);
    assert.equal(report.violations, 0);
    assert.ok(report.results.some((result) => result.cuts > 0), 'some power cuts fired');
    assert.ok(report.results.some((result) => result.cuts > 1), 'some recoveries were cut too');
  });

  it('a clean approval is captured and a clean rejection is not (the matrix sells for real)', async () => {
    const emulator = await startEmulator({ rateLimits: false });
    try {
      const approved = await runScenario(findScenario('approve.none.nocut')!, emulator);
      assert.match(approved.summary, /AUTHORIZED captured 2500 cancelled 0; log captured/);
      const rejected = await runScenario(findScenario('reject.none.nocut')!, emulator);
      assert.match(rejected.summary, /ABORTED captured 0/);
      const overdue = await runScenario(findScenario('approve.capture-6260.nocut')!, emulator);
      assert.match(overdue.summary, /log capture-overdue; queued capture overdue/);
      assert.deepEqual([approved.violations, rejected.violations, overdue.violations], [[], [], []]);
    } finally {
      await emulator.close();
    }
  });

  it('a sabotaged machine (its reversal captures instead of cancelling) is caught', async () => {
    const emulator = await startEmulator({ rateLimits: false });
    try {
      const result = await runScenario(findScenario('no-drop.none.nocut')!, emulator, {
        api: (api) => ({
          baseUrl: api.baseUrl,
          warmUp: (options) => api.warmUp(options),
          tokenFreshForMs: () => api.tokenFreshForMs(),
          createWindowMs: (deadlineMs) => api.createWindowMs(deadlineMs),
          createPayment: (input, options) => api.createPayment(input, options),
          getPayment: (reference, options) => api.getPayment(reference, options),
          getEvents: (reference, options) => api.getEvents(reference, options),
          capture: (reference, amount, options) => api.capture(reference, amount, options),
          cancel: (reference) => api.capture(reference, NOK(2500) as never),
          refund: (reference, amount, options) => api.refund(reference, amount, options),
        }),
      });
      assert.match(result.violations.join('\n'), /captured 2500 without a confirmed release \(came out: no, journal confirmed: no\)/);
      // The first '-' is the boot's write of the configuration's outputs (kept for a bad configuration later).
      assert.match(result.detail.join('\n'), /journal: - > create > release > cancel/);
    } finally {
      await emulator.close();
    }
  });
});
