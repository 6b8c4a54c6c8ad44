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
import { MATRIX_CONFIG, MATRIX_TIMING, matrixClient, matrixSecrets, PRODUCT } from './machine-setup';
import { PowerCut } from '../../tests/support/power-cut-store';
import { CuttableStore, MortalApi, mortalPins, Power, type PinRecord } from './power';
import type { Scenario } from './scenarios';

/** How long a machine may take to finish (its sale, or the recovery) before the scenario "did not end". */
export const END_WITHIN_MS = 45_000;
const BOOT_WITHIN_MS = 10_000;

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
  power: Power;
  store: CuttableStore;
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

/** Back at rest: nothing open, nothing queued but overdue captures, selling, on the idle screen. */
function atRest(machine: VendingMachine): boolean {
  return machine.journal.openSale === undefined
    && machine.journal.queue.every((item) => item.overdue)
    && machine.status().inService
    && machine.view.sale.screen === 'idle';
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

  const boot = (number: number): Booted => {
    const log: Log = {
      info: (m) => lines.push(`${number} info ${m}`),
      warn: (m) => lines.push(`${number} warn ${m}`),
      error: (m) => lines.push(`${number} error ${m}`),
    };
    const power = new Power();
    const store = new CuttableStore(flash, power);
    const { client, transport } = matrixClient(emulator, log);
    let machine: VendingMachine | undefined;
    const pins = mortalPins({
      power,
      drops: scenario.outcome !== 'no-drop',
      currentReference: () => (machine?.view.sale as { reference?: string } | undefined)?.reference,
      serviceView: (reference) => {
        const payment = emulator.payment(reference);
        return payment && { reserved: reservedOf(payment), state: payment.state };
      },
      record: (pinRecords[number - 1] = { pulses: [], released }),
    });
    machine = new VendingMachine({
      config: MATRIX_CONFIG,
      api: new MortalApi(options.api ? options.api(client, number) : client, power),
      store,
      clock: systemClock,
      random: cryptoRandom,
      pins,
      secrets: matrixSecrets(emulator),
      log,
      reference: (counter) => `${prefix}-${counter}`,
      timing: MATRIX_TIMING,
    });
    const booted = { machine, power, store, client, transport };
    // A dead machine's timers stop at once; what it had on the wire still arrives.
    power.onCut(() => booted.machine.stop());
    return booted;
  };

  // Recovery journals at boot: a cut there ends start() with PowerCut, and the machine is dead.
  const start = (booted: Booted) => {
    try {
      booted.machine.start();
    } catch (error) {
      if (!(error instanceof PowerCut)) throw error;
    }
  };

  const shutDown = (booted: Booted) => {
    booted.power.cut();
    booted.transport.close();
  };

  const customer = new Customer(emulator, scenario, prefix, () => current?.machine);
  let ended = false;
  let cuts = 0;
  try {
    for (const spec of scenario.fault.specs) emulator.injectFault(spec);
    current = boot(1);
    const first = current.machine;
    first.start();
    // A machine that never sells ends the scenario unended (reported), not the whole matrix.
    const selling = await waitFor(() => first.status().inService, BOOT_WITHIN_MS);
    if (selling) {
      arm(current, scenario.cuts[0]);
      customer.start();
      first.act({ type: 'select', product: PRODUCT });
    }
    // Each power cut: the machine is dropped, a new one boots on the same flash (and may be cut again).
    for (let number = 1; selling; number++) {
      const running = current;
      ended = await waitFor(() => !running.power.alive || atRest(running.machine), END_WITHIN_MS);
      if (running.power.alive) break;
      cuts++;
      shutDown(running);
      current = boot(number + 1);
      arm(current, scenario.cuts[number]);
      start(current);
    }
  } finally {
    customer.stop();
  }
  const last = current!;
  const facts: ScenarioFacts = {
    payments: emulator.payments().filter((payment) => payment.reference.startsWith(prefix)),
    pulses: pinRecords.flatMap((record, i) => record.pulses.map((pulse) => ({ ...pulse, machine: i + 1 }))),
    released,
    confirmed: flash.confirmedReleases,
    queue: last.machine.journal.queue,
    openSale: last.machine.journal.openSale?.reference,
    salesLog: last.machine.journal.salesLog(),
    ended,
    text: [...lines, ...flash.contents()],
    secrets: secretsOf(emulator),
  };
  shutDown(last);
  const violations = checkScenario(facts);
  const detail = violations.length === 0 ? [] : describe(facts, flash, lines, customer);
  const notes = facts.payments.filter((payment) => !facts.salesLog.some((entry) => entry.reference === payment.reference)).map((payment) => `${payment.reference}: no sales-log entry`);
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
