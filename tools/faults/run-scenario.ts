// One scenario, start to end: a machine boots on a fresh flash, the customer does what the
// scenario says, the emulator misbehaves as armed, the power goes at the chosen journal write; a
// new machine boots on the same flash and runs until its queue is settled and it is back in
// service. Then the money rules are checked on the service's records and the journal.
import type { EpaymentClient } from 'epayment/client';
import type { Log } from 'ports/log';
import { VendingMachine } from 'app/sale/machine';
import type { PaymentApi } from 'app/sale/payment-api';
import { cryptoRandom } from '../../hosts/node/random';
import { systemClock } from '../../hosts/node/system-clock';
import type { NodeHttpTransport } from '../../hosts/node/http-transport';
import type { Emulator } from '../emulator/index';
import { checkScenario, reservedOf, type ScenarioFacts } from './checks';
import { Customer } from './customer';
import { WatchedFlash } from './flash';
import { MATRIX_CONFIG, MATRIX_TIMING, matrixClient, matrixSecrets, PRODUCT, STOCK } from './machine-setup';
import { FailingStore } from '../../tests/support/failing-store';
import { PowerCut } from '../../tests/support/power-cut-store';
import { CuttableStore, MortalApi, mortalPins, Power, type PinRecord } from './power';
import { HANG_AT_MS, HANG_SELL_AFTER_MS, HANG_TOKEN_LIFETIME_S, TOKEN_HANG, type Scenario } from './scenarios';

/** How long a machine may take to finish (its sale, or the recovery) before the scenario "did not end". */
export const END_WITHIN_MS = 45_000;
const BOOT_WITHIN_MS = 10_000;
/** A store whose reads fail at boot answers again after this long. */
const READS_FAIL_FOR_MS = 1000;

export interface ScenarioResult {
  scenario: Scenario;
  violations: string[];
  /** Power cuts that fired (a cut beyond a machine's last write never does). */
  cuts: number;
  durationMs: number;
  /** For a failing scenario's report: journal phases, the payments, the last log lines. */
  detail: string[];
  /** Not money rules, but worth knowing: a payment whose sale left no entry in the sales log. */
  notes: string[];
  /** Journal writes that reached the flash, both machines. */
  writes: number;
  /** One line: how the sale ended (the service's state and amounts, the sales log's outcome). */
  summary: string;
}

interface Booted {
  machine: VendingMachine;
  api: MortalApi;
  power: Power;
  store: CuttableStore;
  failing: FailingStore;
  client: EpaymentClient;
  transport: NodeHttpTransport;
}

export async function waitFor(done: () => boolean, withinMs: number): Promise<boolean> {
  const end = Date.now() + withinMs;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/**
 * Back at rest: nothing open, nothing queued but overdue captures, and selling on the idle screen;
 * or out of service for what the scenario did to it (its store fails; its one product's sensor is stuck).
 */
function atRest(machine: VendingMachine, scenario: Scenario, storeFailing: boolean): boolean {
  if (machine.journal.openSale !== undefined || !machine.journal.queue.every((item) => item.overdue)) return false;
  const status = machine.status();
  if (status.inService) return machine.view.sale.screen === 'idle';
  const expected = (storeFailing && status.outOfService === 'journal') || (scenario.outcome === 'sensor-stuck' && status.outOfService === 'sold-out');
  return expected && machine.view.sale.screen === 'out-of-service';
}

let runs = 0;

export interface ScenarioOptions {
  /** Wraps each machine's API (machine 1 sells, 2 and on are rebooted): the matrix's own test sabotages it to see a violation caught. */
  api?(api: PaymentApi, machine: number): PaymentApi;
}

export async function runScenario(scenario: Scenario, emulator: Emulator, options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const started = Date.now();
  emulator.reset();
  const prefix = `fm-${process.pid}-${Date.now().toString(36)}-${++runs}`;
  const flash = new WatchedFlash();
  const lines: string[] = [];
  const released = new Set<string>();
  const pinRecords: PinRecord[] = [];
  let current: Booted | undefined;

  const arm = (booted: Booted, cut: Scenario['cuts'][number] | undefined) => {
    if (cut) booted.store.cuts.cutAtWrite(cut.write, cut.kind);
  };
  const store = scenario.store;
  const storeFailing = () => current !== undefined && current.failing.failing;
  // The sensor reads active from the customer's approval on.
  const sensorStuck = () => scenario.outcome === 'sensor-stuck' && customer.actions.includes('approve');

  const allBooted: Booted[] = [];
  /** `prepare` sets up the flash's failures before the machine reads it. */
  const boot = (number: number, prepare?: (failing: FailingStore) => void): Booted => {
    const log: Log = {
      info: (m) => lines.push(`${number} info ${m}`),
      warn: (m) => lines.push(`${number} warn ${m}`),
      error: (m) => lines.push(`${number} error ${m}`),
    };
    const power = new Power();
    const failing = new FailingStore(flash);
    prepare?.(failing);
    const store = new CuttableStore(failing, power);
    const { client, transport } = matrixClient(emulator, log);
    let machine: VendingMachine | undefined;
    const pins = mortalPins({
      power,
      drops: scenario.outcome !== 'no-drop',
      stuck: () => sensorStuck(),
      currentReference: () => (machine?.view.sale as { reference?: string } | undefined)?.reference,
      serviceView: (reference) => {
        const payment = emulator.payment(reference);
        return payment && { reserved: reservedOf(payment), state: payment.state };
      },
      record: (pinRecords[number - 1] = { pulses: [], released }),
    });
    const api = new MortalApi(options.api ? options.api(client, number) : client, power);
    machine = new VendingMachine({
      config: MATRIX_CONFIG,
      api,
      store,
      clock: systemClock,
      random: cryptoRandom,
      pins,
      secrets: matrixSecrets(emulator),
      log,
      reference: (counter) => `${prefix}-${counter}`,
      timing: MATRIX_TIMING,
    });
    const booted = { machine, api, power, store, failing, client, transport };
    // SNTP answers late on the rebooted machine: no clock, so nothing can leave, until then.
    if (number > 1 && plan.clockSetAfterMs !== undefined) {
      api.clockSet = false;
      machine.setClockSet(false);
      clockTimers.push(setTimeout(() => {
        if (!power.alive) return;
        const queued = machine!.journal.queue.length > 0 || machine!.journal.openSale !== undefined;
        if (queued) clockSets.push({ machine: number, setAt: Date.now(), queueCalls: [] });
        api.clockSet = true;
        machine!.setClockSet(true);
      }, plan.clockSetAfterMs));
    }
    // A dead machine's timers stop at once; what it had on the wire still arrives.
    power.onCut(() => booted.machine.stop());
    allBooted.push(booted);
    return booted;
  };

  // start() never throws: not on a cut (the store's PowerCut), not on a failing store.
  const bootErrors: string[] = [];
  const start = (booted: Booted) => {
    try {
      booted.machine.start();
    } catch (error) {
      bootErrors.push(`${error instanceof PowerCut ? 'PowerCut' : (error as Error).name}: ${(error as Error).message}`);
    }
  };

  const shutDown = (booted: Booted) => {
    booted.power.cut();
    booted.transport.close();
  };

  const plan = scenario.fault;
  // The machine's first reference (its counter starts at 1): somebody else's payment holds it already.
  const foreign = new Set<string>(plan.foreignReference ? [`${prefix}-1`] : []);
  const clockSets: ScenarioFacts['clockSets'] = [];
  const clockTimers: NodeJS.Timeout[] = [];
  let tappedAt: number | undefined;
  const customer = new Customer(emulator, scenario, prefix, () => current?.machine, foreign);
  let ended = false;
  let cuts = 0;
  let newSaleAfterEnd = false;
  try {
    for (const spec of scenario.fault.specs) emulator.injectFault(spec);
    for (const reference of foreign) emulator.createAsOtherSystem(reference);
    if (plan.tokenHangInRenewalWindow) emulator.setTokenLifetime(HANG_TOKEN_LIFETIME_S);
    current = boot(1);
    const first = current.machine;
    first.start();
    // A machine that never sells ends the scenario unended (reported), not the whole matrix.
    const selling = await waitFor(() => first.status().inService, BOOT_WITHIN_MS);
    if (selling) {
      if (plan.tokenHangInRenewalWindow) {
        // The token endpoint hangs from just before the warm-up's renewal; the tap comes during it.
        await new Promise((resolve) => setTimeout(resolve, HANG_AT_MS));
        emulator.injectFault(TOKEN_HANG);
        await new Promise((resolve) => setTimeout(resolve, HANG_SELL_AFTER_MS - HANG_AT_MS));
      }
      arm(current, scenario.cuts[0]);
      if (store && 'fromWrite' in store) current.failing.failWritesFrom(store.fromWrite);
      customer.start();
      tappedAt = Date.now();
      first.act({ type: 'select', product: PRODUCT });
    }
    // Each power cut: the machine is dropped, a new one boots on the same flash (and may be cut again).
    for (let number = 1; selling; number++) {
      const running = current;
      ended = await waitFor(() => !running.power.alive || (!running.failing.readsFailing && atRest(running.machine, scenario, storeFailing())), END_WITHIN_MS);
      if (running.power.alive) break;
      cuts++;
      shutDown(running);
      // The store goes bad with the cut: the rebooted machine finds it refusing writes, or reads for a while.
      const badAtBoot = store && 'atBoot' in store && number === 1 ? store.atBoot : undefined;
      current = boot(number + 1, (failing) => {
        if (badAtBoot === 'writes') failing.failWritesFrom(1);
        if (badAtBoot === 'reads') {
          failing.failReads(true);
          setTimeout(() => failing.heal(), READS_FAIL_FOR_MS);
        }
      });
      arm(current, scenario.cuts[number]);
      start(current);
    }
    // A held create lands late: what it leaves behind is judged after it has landed.
    if (plan.createHeldMs !== undefined && tappedAt !== undefined) {
      const landed = tappedAt + plan.createHeldMs + 1000;
      if (Date.now() < landed) await new Promise((resolve) => setTimeout(resolve, landed - Date.now()));
      if (current.power.alive && !atRest(current.machine, scenario, storeFailing())) ended = await waitFor(() => atRest(current!.machine, scenario, storeFailing()), END_WITHIN_MS);
    }
    // On a failing store, or with the only product's sensor stuck, the next customer gets no sale.
    if (ended && (storeFailing() || sensorStuck())) {
      const before = emulator.payments().filter((payment) => payment.reference.startsWith(prefix)).length;
      current!.machine.act({ type: 'select', product: PRODUCT });
      await new Promise((resolve) => setTimeout(resolve, 300));
      newSaleAfterEnd = emulator.payments().filter((payment) => payment.reference.startsWith(prefix)).length > before;
    }
  } finally {
    customer.stop();
    for (const timer of clockTimers) clearTimeout(timer);
  }
  // The queue's calls of each machine whose clock came late, from the moment it was set.
  const booted = [...allBooted];
  for (const set of clockSets) set.queueCalls = booted[set.machine - 1]!.api.queueCalls();
  const firstCreate = emulator.requests().find((request) => request.route === 'POST /epayment/v1/payments');
  const last = current!;
  // What the machine sells by: units left and a fault, as its screens get them.
  const productView = last.machine.view.products.find((product) => product.id === PRODUCT);
  const facts: ScenarioFacts = {
    payments: emulator.payments().filter((payment) => payment.reference.startsWith(prefix)),
    pulses: pinRecords.flatMap((record, i) => record.pulses.map((pulse) => ({ ...pulse, machine: i + 1 }))),
    released,
    // With the store failing the flash lags memory: a release the machine confirmed in memory (the product came out) counts.
    confirmed: store && 'fromWrite' in store ? new Set([...flash.confirmedReleases, ...released]) : flash.confirmedReleases,
    queue: last.machine.journal.queue,
    openSale: last.machine.journal.openSale?.reference,
    salesLog: last.machine.journal.salesLog(),
    ended,
    text: [...lines, ...flash.contents()],
    secrets: secretsOf(emulator),
    foreign,
    clockSets,
    ...(plan.tokenHangInRenewalWindow && tappedAt !== undefined && firstCreate ? { tapToCreateMs: firstCreate.receivedAt - tappedAt } : {}),
    stock: { configured: STOCK, left: productView?.stock ?? STOCK },
    releasesBegun: flash.releasesBegun,
    givenBack: flash.givenBack,
    sensorStuck: sensorStuck(),
    storeFailing: storeFailing(),
    newSaleAfterEnd,
    bootErrors,
  };
  if (productView?.fault) facts.productFault = productView.fault;
  const reason = last.machine.status().outOfService;
  if (reason) facts.outOfService = reason;
  shutDown(last);
  const violations = checkScenario(facts);
  const detail = violations.length === 0 ? [] : describe(facts, flash, lines, customer);
  const notes = facts.payments.filter((payment) => !foreign.has(payment.reference) && !facts.salesLog.some((entry) => entry.reference === payment.reference)).map((payment) => `${payment.reference}: no sales-log entry`);
  return { scenario, violations, notes, cuts, durationMs: Date.now() - started, detail, writes: flash.memory.writes + flash.memory.deletes, summary: summarize(facts) };
}

function summarize(facts: ScenarioFacts): string {
  const payments = facts.payments.map((payment) => {
    const a = payment.aggregate;
    return `${payment.state} captured ${a.capturedAmount.value} cancelled ${a.cancelledAmount.value}`;
  });
  const log = facts.salesLog.map((entry) => entry.outcome);
  const queue = facts.queue.map((item) => `${item.operation}${item.overdue ? ' overdue' : ''}`);
  return `${payments.join('; ') || 'no payment'}; log ${log.join(',') || '-'}${queue.length ? `; queued ${queue.join(',')}` : ''}`;
}

function secretsOf(emulator: Emulator): string[] {
  const secrets = new Set<string>([emulator.credentials.clientSecret, emulator.credentials.subscriptionKey]);
  for (const request of emulator.requests()) {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) secrets.add(authorization.slice(7));
  }
  // The token's own answer carries it too.
  return [...secrets];
}

function describe(facts: ScenarioFacts, flash: WatchedFlash, lines: string[], customer: Customer): string[] {
  const detail = [`journal: ${flash.phases.join(' > ')}`];
  for (const payment of facts.payments) {
    const a = payment.aggregate;
    detail.push(`payment ${payment.reference}: ${payment.state}, authorized ${a.authorizedAmount.value}, captured ${a.capturedAmount.value}, cancelled ${a.cancelledAmount.value}; events ${payment.events.map((event) => `${event.name}${event.success ? '' : '(failed)'}`).join(' ')}`);
  }
  detail.push(`came out: ${[...facts.released].join(', ') || 'nothing'}; pulses ${facts.pulses.length}; queue at the end: ${facts.queue.map((item) => `${item.operation} ${item.reference}${item.overdue ? ' overdue' : ''}`).join(', ') || 'empty'}`);
  detail.push(`sales log: ${facts.salesLog.map((entry) => `${entry.reference} ${entry.outcome}`).join(', ') || 'empty'}`);
  detail.push(`customer: ${customer.actions.join(', ') || 'nothing'}`);
  detail.push(...lines.slice(-25).map((line) => `log ${line}`));
  return detail;
}
