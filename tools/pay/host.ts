// The pay command as a terminal host of the machine's controller: the same VendingMachine the
// device runs, with a one-product configuration made from the options, its journal in a folder
// (so a capture or cancel still pending at exit is settled by the next run), and the terminal's
// "delivered?" question as the product's Output. The host only shows what the controller does and
// turns its outcome into the exit code.
import { encode } from 'qr/encode';
import { isProductionBaseUrl } from 'epayment/base-url';
import type { KeyValueStore } from 'ports/store';
import type { SecretStore } from 'ports/secrets';
import type { Log } from 'ports/log';
import { VendingMachine } from 'app/sale/machine';
import { SETTLEMENT_TIMING } from 'app/sale/settlements';
import type { SaleOutcome, SaleScreen } from 'app/sale/view';
import { cryptoRandom } from '../../hosts/node/random';
import { systemClock } from '../../hosts/node/system-clock';
import { PAY_PRODUCT, payMachineConfig } from './machine-config';
import type { PayOptions } from './options';
import { PromptPins } from './prompt-output';
import { qrToText } from './terminal-qr';
import { money, type Terminal } from './terminal';
import type { WatchedApi } from './watched-api';
import { saveQrPng } from './qr-png';

export const EXIT = { captured: 0, failed: 1, usage: 2, notDelivered: 3, aborted: 4, expired: 5, terminated: 6, interrupted: 130 } as const;

/** How long pay waits for what a previous run left pending before it sells. */
const LEFTOVERS_WAIT_MS = 20_000;
/** How long pay waits for its own sale's queued capture or cancel before it leaves it to the next run. */
const SETTLE_WAIT_MS = 60_000;
const IN_SERVICE_WAIT_MS = 15_000;

const ACTIVE: readonly SaleScreen['screen'][] = ['creating', 'payment', 'finish-in-app', 'releasing', 'reversing'];

export interface PayHostDeps {
  options: PayOptions;
  api: WatchedApi;
  store: KeyValueStore;
  terminal: Terminal;
  input: NodeJS.ReadableStream;
  /** Where the journal lives, for messages. */
  stateDir: string;
}

export class PayHost {
  private machine: VendingMachine | undefined;
  private pins: PromptPins;
  private reference: string | undefined;
  private interrupts = 0;
  private readonly screensSeen = new Set<string>();
  private lastScreen = '';
  private qrShownAt = 0;
  private createdAt = 0;
  private saleBegun = false;
  private captureReported = false;
  private waitedForQueue = false;
  private cancelPressed = false;
  private changed: () => void = () => {};

  constructor(private readonly deps: PayHostDeps) {
    const { options, terminal } = deps;
    this.pins = new PromptPins({
      yes: options.yes,
      answerTimeoutMs: options.answerTimeoutMs,
      input: deps.input,
      ask: (question) => terminal.ask(question),
      say: (line) => terminal.print(line),
    });
  }

  private get money(): (value: number) => string {
    return (value) => money(value, this.deps.options.currency);
  }

  /** The whole run; resolves with the exit code. */
  async run(): Promise<number> {
    const { options, api, terminal } = this.deps;
    terminal.print(`base URL ${api.baseUrl}, ${this.money(options.amount)} for "${options.description}"${options.reference ? `, reference ${options.reference}` : ''}`);
    try {
      await api.warmUp();
      terminal.print(`access token: ok, fresh for ${Math.round(api.tokenFreshForMs() / 60_000)} min`);
    } catch (error) {
      terminal.print(describeFailure('access token', error));
      return EXIT.failed;
    }

    const machine = new VendingMachine({
      config: payMachineConfig(options),
      api,
      store: this.deps.store,
      clock: systemClock,
      random: cryptoRandom,
      pins: this.pins,
      secrets: secretsFrom(options),
      log: this.machineLog(),
      production: isProductionBaseUrl(api.baseUrl),
      ...(options.reference ? { reference: () => options.reference! } : {}),
      timing: {
        pollFirstMs: options.pollFirstMs,
        pollIntervalMs: options.pollIntervalMs,
        resultScreenMs: 2_000,
        settlements: { ...SETTLEMENT_TIMING, retryMs: 2_000, maxRetryMs: 30_000, lockedRetryMs: 2_000 },
      },
    });
    this.machine = machine;
    if (!machine.config) {
      terminal.print(`configuration: ${machine.status().detail ?? 'invalid'}`);
      return EXIT.usage;
    }
    machine.onChange(() => this.render());
    api.onStatus = (reference, status) => {
      if (reference === this.reference && this.lastScreen === 'payment') terminal.status(`state ${status.state}, ${Math.round((Date.now() - this.qrShownAt) / 1000)} s, ${api.reads} reads`);
    };
    machine.start();
    await this.settleLeftovers(machine);
    if (this.interrupts > 0) return EXIT.interrupted;

    if (!(await this.until(() => machine.status().inService, IN_SERVICE_WAIT_MS))) {
      const status = machine.status();
      terminal.print(`the machine cannot sell: ${status.outOfService ?? status.state}${status.detail ? ` (${status.detail})` : ''}`);
      return EXIT.failed;
    }
    this.createdAt = Date.now();
    machine.act({ type: 'select', product: PAY_PRODUCT });
    const open = machine.journal.openSale;
    if (!open) {
      terminal.print(`the sale did not start (screen ${machine.view.sale.screen})`);
      return EXIT.failed;
    }
    this.reference = open.reference;
    this.saleBegun = true;
    if (!options.reference) terminal.print(`reference ${open.reference}`);
    // A Ctrl-C that came before the QR is the Cancel button as soon as there is one.
    this.render();

    await this.until(() => this.saleOver(), Number.POSITIVE_INFINITY);
    const reference = open.reference;
    if (this.pending(reference)) {
      this.waitedForQueue = true;
      await this.until(() => !this.pending(reference), SETTLE_WAIT_MS);
    }
    return this.finish(reference);
  }

  /** Ctrl-C or SIGTERM: the Cancel button; the second one exits at once (the lines to print, then exit 130). */
  interrupt(): string[] | undefined {
    this.interrupts++;
    if (this.interrupts > 1) return this.emergencyLines();
    const { terminal } = this.deps;
    terminal.print('interrupted: cancelling (Ctrl-C again to exit at once)');
    if (this.pins.interrupt()) return undefined;
    this.render();
    return undefined;
  }

  private machineLog(): Log {
    const { terminal } = this.deps;
    return {
      info() {},
      warn: (message) => terminal.print(`warning: ${message}`),
      // The prompt's "no" reaches the controller as an output error; the terminal already said so.
      error: (message) => { if (!/^output \d+: /.test(message)) terminal.print(`error: ${message}`); },
    };
  }

  private pending(reference: string): boolean {
    return this.machine!.journal.queue.some((item) => item.reference === reference && !item.overdue);
  }

  private saleOver(): boolean {
    const machine = this.machine!;
    if (machine.journal.openSale?.reference === this.reference) return false;
    return !ACTIVE.includes(machine.view.sale.screen) || (machine.view.sale.screen === 'reversing' && !this.pending(this.reference!));
  }

  private until(done: () => boolean, withinMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const end = Date.now() + withinMs;
      const check = () => {
        if (done()) {
          clearInterval(timer);
          this.changed = () => {};
          resolve(true);
        } else if (Date.now() > end) {
          clearInterval(timer);
          this.changed = () => {};
          resolve(false);
        }
      };
      // Checked on every change of the machine, and now and then for the time limit.
      const timer = setInterval(check, 200);
      this.changed = check;
      check();
    });
  }

  /** What a previous run left in the journal is settled first, and said so. */
  private async settleLeftovers(machine: VendingMachine): Promise<void> {
    const { terminal } = this.deps;
    const leftovers = machine.journal.queue.filter((item) => !item.overdue);
    for (const item of machine.journal.queue.filter((other) => other.overdue)) {
      terminal.print(`a previous run's capture of ${item.reference} is overdue (the service refuses it for now); it is retried hourly while pay runs`);
    }
    if (leftovers.length === 0) return;
    terminal.print(`settling what a previous run left pending (journal ${this.deps.stateDir}):`);
    for (const item of leftovers) terminal.print(`  ${item.operation} ${item.reference} (${money(item.amount, item.currency)})`);
    const still = () => leftovers.filter((item) => machine.journal.queue.some((other) => other.reference === item.reference && other.operation === item.operation && !other.overdue));
    await this.until(() => still().length === 0 || this.interrupts > 0, LEFTOVERS_WAIT_MS);
    for (const item of leftovers) {
      const waiting = still().includes(item);
      const outcome = this.logOutcome(item.reference);
      terminal.print(waiting
        ? `  ${item.reference}: ${item.operation} still pending (${this.lastWord(item.reference)}); retried in the background, and by the next run`
        : `  ${item.reference}: ${outcome ?? 'settled'} (${this.lastWord(item.reference)})`);
    }
  }

  private logOutcome(reference: string): SaleOutcome | undefined {
    const log = this.machine!.journal.salesLog();
    for (let i = log.length - 1; i >= 0; i--) if (log[i]!.reference === reference) return log[i]!.outcome;
    return undefined;
  }

  /** What the service last said about a payment, or that nothing is known. */
  private lastWord(reference: string): string {
    const last = this.deps.api.last.get(reference);
    if (!last) return 'no answer from the service about it yet: its state is unknown';
    const a = last.status.aggregate;
    const reserved = a.authorizedAmount.value - a.capturedAmount.value - a.cancelledAmount.value;
    const time = new Date(last.at).toISOString().slice(11, 19);
    return `the service said at ${time} UTC: ${last.status.state}, authorized ${this.money(a.authorizedAmount.value)}, captured ${this.money(a.capturedAmount.value)}, cancelled ${this.money(a.cancelledAmount.value)}, ${this.money(Math.max(0, reserved))} reserved`;
  }

  private render(): void {
    const machine = this.machine;
    if (!machine || !this.saleBegun) {
      this.changed();
      return;
    }
    const sale = machine.view.sale;
    if (this.interrupts > 0 && !this.cancelPressed && sale.screen === 'payment' && !sale.cancelling) {
      // The Cancel button exists from the QR on: a Ctrl-C that came before it is pressed now, once.
      this.cancelPressed = true;
      machine.act({ type: 'cancel' });
      return;
    }
    const key = `${sale.screen}${sale.screen === 'payment' && sale.cancelling ? '+' : ''}`;
    if (key !== this.lastScreen) {
      this.lastScreen = key;
      this.screensSeen.add(sale.screen);
      this.show(sale);
    }
    this.changed();
  }

  private show(sale: SaleScreen): void {
    const { terminal, options } = this.deps;
    const reference = this.reference!;
    switch (sale.screen) {
      case 'payment':
        if (sale.cancelling) {
          terminal.print('cancelling the payment');
          break;
        }
        this.qrShownAt = Date.now();
        {
          const matrix = encode(sale.redirectUrl);
          terminal.print(`${qrToText(matrix, { color: process.stdout.isTTY === true })}\n${sale.redirectUrl}`);
          const png = options.pngPath ?? `build/pay/${reference}.png`;
          try {
            saveQrPng(matrix, png);
            terminal.print(`QR screen saved as ${png}`);
          } catch (error) {
            terminal.print(`could not save the QR screen as ${png}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
          }
        }
        terminal.print(`QR ready ${this.qrShownAt - this.createdAt} ms after the tap; scan it (or approve in the emulator)`);
        break;
      case 'finish-in-app':
        terminal.print('the customer has the payment open in the app, so the cancel was refused (423): waiting until they finish; whatever they do, nothing is charged');
        break;
      case 'releasing': {
        const last = this.deps.api.last.get(reference);
        terminal.print(`authorized ${this.money(last?.status.aggregate.authorizedAmount.value ?? options.amount)}`);
        break;
      }
      case 'thank-you':
        this.reportCapture(reference);
        break;
      case 'reversing':
        terminal.print(`not delivered: cancelling the payment (nothing is said about money until the service confirms)`);
        break;
      case 'not-charged':
      case 'cancelled':
        terminal.print(`cancelled: nothing was charged (${this.lastWord(reference)})`);
        break;
      case 'aborted':
        terminal.print('the customer aborted the payment in the app');
        break;
      case 'expired':
        terminal.print('the payment expired: nobody approved it in time');
        break;
      case 'error':
        terminal.print(sale.charged === 'no'
          ? 'the sale failed before any payment of this sale existed (see the warning above); nothing was charged, and no other payment was touched'
          : 'the sale failed; the payment is being cancelled in the background (journalled) until the service confirms');
        break;
      default:
        break;
    }
  }

  private reportCapture(reference: string): void {
    const { terminal } = this.deps;
    const outcome = this.logOutcome(reference);
    const last = this.deps.api.last.get(reference);
    if (outcome === 'captured') {
      this.captureReported = true;
      terminal.print(`captured ${this.money(last?.status.aggregate.capturedAmount.value ?? this.deps.options.amount)}`);
      // A lost or refused answer says nothing about the money: the queue reads the payment before it decides.
    } else terminal.print('the capture has no answer yet (lost or refused): journalled and retried with the same idempotency key; the payment is read before anything is said about the money');
  }

  private finish(reference: string): number {
    const { terminal, stateDir } = this.deps;
    const outcome = this.logOutcome(reference);
    const pending = this.machine!.journal.queue.find((item) => item.reference === reference);
    if (outcome === 'captured' && !this.captureReported) this.reportCapture(reference);
    else if (this.waitedForQueue && !pending) {
      // A cancel settles without a status only when the service answered 404: no such payment.
      const word = this.deps.api.last.has(reference) || outcome !== 'cancelled' ? this.lastWord(reference) : 'the service has no payment with this reference: nothing was charged';
      terminal.print(`settled: ${outcome ?? 'unknown'} (${word})`);
    }
    if (pending) {
      terminal.print(`${pending.operation} of ${reference} is still pending${pending.overdue ? ' (overdue: the service refuses it for now)' : ''}: journalled in ${stateDir}; the next npm run pay settles it. ${capitalize(this.lastWord(reference))}`);
    }
    if (outcome === 'captured') return EXIT.captured;
    if (pending) return EXIT.failed;
    if (this.interrupts > 0) return EXIT.interrupted;
    switch (outcome) {
      case 'cancelled':
        return this.screensSeen.has('releasing') ? EXIT.notDelivered : EXIT.failed;
      case 'aborted':
        return EXIT.aborted;
      case 'expired':
        return EXIT.expired;
      case 'terminated':
        // The walk-away cancel at the QR's end says "expired"; TERMINATED by somebody else is 6.
        return this.screensSeen.has('expired') ? EXIT.expired : EXIT.terminated;
      default:
        return EXIT.failed;
    }
  }

  private emergencyLines(): string[] {
    const machine = this.machine;
    const reference = this.reference;
    if (!machine || !reference) return ['interrupted twice: exiting; no sale was started'];
    const lines = [`interrupted twice: exiting now. reference ${reference}`, capitalize(this.lastWord(reference))];
    const open = machine.journal.openSale;
    const queued = machine.journal.queue.find((item) => item.reference === reference);
    if (open?.reference === reference) {
      lines.push(`journalled in ${this.deps.stateDir}: the sale, open in phase ${open.phase}; the next npm run pay ${open.phase === 'capture' ? 'captures it (the product was delivered)' : 'cancels it (nothing was delivered)'}`);
    } else if (queued) {
      lines.push(`journalled in ${this.deps.stateDir}: a ${queued.operation}; the next npm run pay sends it until the service confirms`);
    } else {
      lines.push('nothing is pending for it in the journal');
    }
    return lines;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function secretsFrom(options: PayOptions): SecretStore {
  return {
    credentials: () => options.credentials,
    baseUrl: () => options.baseUrl,
    pinHash: () => undefined,
    setPinHash() {},
  };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO/;

/** `what: message`, without the doubled prefix the client's messages already carry, and a hint for TLS. */
export function describeFailure(what: string, error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  if (message.startsWith(`${what}: `)) message = message.slice(what.length + 2);
  let line = `${what}: ${message}`;
  if (TLS_CODES.test(message)) line += '\n  the TLS certificate of the service is not trusted: for the emulator pass its root certificate with --ca <file> or EPAYMENT_CA_FILE (.emulator/certs/root-ca.pem)';
  return line;
}
