// The customer of a scenario: watches the service for the scenario's payment and acts on it as
// the outcome says (through the emulator, as the app would), and presses the machine's Cancel
// button where the outcome says so. Independent of the machine's power: a customer in the app
// goes on when the machine reboots.
import type { VendingMachine } from 'app/sale/machine';
import type { Emulator } from '../emulator/index';
import type { Scenario } from './scenarios';

const WATCH_MS = 20;
/** The customer in the app approves this long after opening it (after the machine's walk-away cancel got 423). */
const IN_APP_APPROVE_AFTER_MS = 1500;
/** The clock jumps past the 10-minute payment expiry this long after the QR. */
const EXPIRE_AFTER_MS = 200;
/** Past the capture deadline of a NOK payment (180 days): the service cancels it by itself. */
const PAST_CAPTURE_DEADLINE_S = 181 * 86_400;

export class Customer {
  readonly actions: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly later: NodeJS.Timeout[] = [];
  private readonly seen = new Set<string>();
  private openedInApp = false;
  private pressedCancel = false;
  private deadlinePassed = false;

  constructor(
    private readonly emulator: Emulator,
    private readonly scenario: Scenario,
    private readonly prefix: string,
    private readonly machine: () => VendingMachine | undefined,
    /** Payments of somebody else's under this scenario's references: not this customer's. */
    private readonly foreign: ReadonlySet<string> = new Set(),
  ) {}

  start(): void {
    this.timer = setInterval(() => this.look(), WATCH_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    for (const timer of this.later) clearTimeout(timer);
  }

  private act(what: string, action: () => void): void {
    try {
      action();
      this.actions.push(what);
    } catch (error) {
      // The payment moved on meanwhile (the machine cancelled it): what a late customer finds.
      this.actions.push(`${what} refused (${(error as Error).message.slice(0, 60)})`);
    }
  }

  private after(ms: number, what: string, action: () => void): void {
    this.later.push(setTimeout(() => this.act(what, action), ms));
  }

  private look(): void {
    const { outcome, fault } = this.scenario;
    for (const payment of this.emulator.payments()) {
      const reference = payment.reference;
      if (!reference.startsWith(this.prefix) || this.seen.has(reference) || this.foreign.has(reference) || payment.state !== 'CREATED') continue;
      this.seen.add(reference);
      if (fault.fundsUnavailable) this.act('funds unavailable', () => this.emulator.fundsUnavailable(reference));
      switch (outcome) {
        case 'approve':
        case 'no-drop':
        case 'sensor-stuck':
          this.act('approve', () => this.emulator.approve(reference));
          break;
        case 'reject':
          this.act('reject', () => this.emulator.reject(reference));
          break;
        case 'expiry':
          this.after(EXPIRE_AFTER_MS, 'clock +601 s', () => this.emulator.advanceClock(601));
          break;
        case 'in-app':
        case 'in-app-cancel':
          this.act('open in app', () => this.emulator.openInApp(reference));
          this.openedInApp = true;
          this.after(IN_APP_APPROVE_AFTER_MS, 'approve', () => this.emulator.approve(reference));
          break;
        default:
          break;
      }
    }
    const wantsCancel = outcome === 'cancel-button' || (outcome === 'in-app-cancel' && this.openedInApp);
    const machine = this.machine();
    const screen = machine?.view.sale;
    if (fault.deadlineAtRelease && !this.deadlinePassed && screen?.screen === 'releasing') {
      this.deadlinePassed = true;
      this.act('clock +181 days', () => this.emulator.advanceClock(PAST_CAPTURE_DEADLINE_S));
    }
    if (wantsCancel && !this.pressedCancel && machine && screen?.screen === 'payment' && !screen.cancelling) {
      this.pressedCancel = true;
      this.act('Cancel button', () => machine.act({ type: 'cancel' }));
    }
  }
}
