// The fault matrix's scenario list: what the customer does, which API fault the emulator injects,
// and where the power goes. Every scenario has a stable id (`approve.capture-lost-answer.w3-torn`),
// so a failure printed by one run can be replayed alone with `--only <id>`; which scenarios a run
// picks is a pure function of the seed.
import type { FaultSpec } from '../emulator/index';
import { mulberry32 } from '../emulator/faults';
import { CUT_KINDS, type CutKind } from '../../tests/support/power-cut-store';

/** What the customer does (and which way the drop sensor answers). */
export type Outcome =
  | 'approve' // approves in the app at once
  | 'reject' // rejects in the app: ABORTED
  | 'walk-away' // nobody acts: the machine's walk-away cancel
  | 'expiry' // nobody acts and the payment expires (the emulator's clock jumps 10 minutes)
  | 'cancel-button' // presses Cancel on the machine
  | 'no-drop' // approves; the drop sensor sees nothing fall
  | 'in-app' // opens the payment in the app (cancels get 423), then approves
  | 'in-app-cancel' // opens it in the app, presses Cancel on the machine (423), then approves
  | 'sensor-stuck'; // approves; from then on the level drop sensor reads active (a product stuck in the beam)

export const OUTCOMES: readonly Outcome[] = ['approve', 'reject', 'walk-away', 'expiry', 'cancel-button', 'no-drop', 'in-app', 'in-app-cancel', 'sensor-stuck'];

export const ROUTES = {
  create: 'POST /epayment/v1/payments',
  get: 'GET /epayment/v1/payments/{reference}',
  capture: 'POST /epayment/v1/payments/{reference}/capture',
  cancel: 'POST /epayment/v1/payments/{reference}/cancel',
} as const;
export type RouteName = keyof typeof ROUTES;

/** Latency beyond the client's request timeout (the matrix's client waits REQUEST_TIMEOUT_MS). */
export const REQUEST_TIMEOUT_MS = 1500;
const BEYOND_TIMEOUT_MS = REQUEST_TIMEOUT_MS + 500;

/** How each fault kind is armed; every one hits the first two matching requests (a call and its retry). */
const FAULT_KINDS: Record<string, Omit<FaultSpec, 'route'>> = {
  '5xx': { kind: 'status', status: 503 },
  '429': { kind: 'status', status: 429, retryAfterSeconds: 1 },
  'reset-before': { kind: 'reset-before-headers' },
  // The server did it, the answer was lost.
  'lost-answer': { kind: 'reset-before-headers', processed: true },
  'reset-after': { kind: 'reset-after-headers' },
  truncated: { kind: 'truncated-json' },
  malformed: { kind: 'malformed-json' },
  slow: { kind: 'latency', delayMs: BEYOND_TIMEOUT_MS },
};

export type FaultName = string;

export interface FaultPlan {
  name: FaultName;
  /** Armed on the emulator at the scenario's start. */
  specs: FaultSpec[];
  /** The customer's funds are unavailable: captures answer 6260 (an expected "capture overdue"). */
  fundsUnavailable?: boolean;
  /** While the product is being released, the service's clock passes the capture deadline (181 days). */
  deadlineAtRelease?: boolean;
  /** A rebooted machine's clock is set this long after its boot (SNTP answers late); nothing leaves before. */
  clockSetAfterMs?: number;
  /** Short-lived tokens; the tap comes inside the token's renewal window, with the token endpoint hanging. */
  tokenHangInRenewalWindow?: boolean;
  /** Somebody else's payment already holds the sale's reference: the create is answered 409. */
  foreignReference?: boolean;
  /** Creates are held this long before they land: the scenario is judged only after that. */
  createHeldMs?: number;
}

/**
 * Tokens of the token-hang plan live 8 s: the renewal window is 4-6 s after the warm-up, whose
 * renewal at 4 s meets the endpoint hanging from 3.5 s; the tap comes at 4.3 s, behind it on the
 * one connection.
 */
export const HANG_TOKEN_LIFETIME_S = 8;
export const HANG_AT_MS = 3500;
export const HANG_SELL_AFTER_MS = 4300;
/** The matrix client's early renewal gives up after this (tokenRenewTimeoutMs). */
export const TOKEN_RENEW_TIMEOUT_MS = 600;
/** The token endpoint holds its answers past the client's timeout (twice). */
export const TOKEN_HANG: FaultSpec = { route: 'POST /accesstoken/get', kind: 'latency', delayMs: REQUEST_TIMEOUT_MS * 3, times: 2 };
/**
 * Every create try held past the create's deadline (3 s) and past the last try the client made
 * before it had one (4 tries of 1.5 s with backoff, about 8.5 s), then processed: it lands after
 * the machine has given up on it.
 */
const CREATE_HELD_MS = 10_000;

function faultPlans(): FaultPlan[] {
  const plans: FaultPlan[] = [{ name: 'none', specs: [] }];
  for (const route of Object.keys(ROUTES) as RouteName[]) {
    for (const [kind, spec] of Object.entries(FAULT_KINDS)) plans.push({ name: `${route}-${kind}`, specs: [{ route: ROUTES[route], times: 2, ...spec }] });
  }
  plans.push({ name: 'capture-6280', specs: [{ route: ROUTES.capture, kind: 'status', status: 400, errorCode: '6280', times: 2 }] });
  plans.push({ name: 'capture-6260', specs: [], fundsUnavailable: true });
  plans.push({ name: 'capture-deadline', specs: [], deadlineAtRelease: true });
  plans.push(...NEW_PLANS);
  return plans;
}

/** The dimensions issue 14 added (crossed with more cuts in --full). */
const NEW_PLANS: FaultPlan[] = [
  { name: 'clock-late', specs: [], clockSetAfterMs: 2000 },
  { name: 'token-hang', specs: [], tokenHangInRenewalWindow: true },
  { name: 'create-409', specs: [], foreignReference: true },
  { name: 'late-409', specs: [{ route: ROUTES.create, kind: 'latency', delayMs: REQUEST_TIMEOUT_MS + 500, times: 8 }], foreignReference: true },
  { name: 'create-held', specs: [{ route: ROUTES.create, kind: 'latency', delayMs: CREATE_HELD_MS, times: 8 }], createHeldMs: CREATE_HELD_MS },
];

export const FAULT_PLANS: readonly FaultPlan[] = faultPlans();

/** The n-th journal write of a machine's life (1-based) is cut this way. */
export interface Cut {
  write: number;
  kind: CutKind;
}

/** The longest sale writes 10 times (a capture refused with 6260 while the customer was in the app); most write 3-7. */
export const MAX_CUT_WRITE = 8;
export const LONGEST_SALE_WRITES = 10;

/**
 * The journal's store goes bad (NVS full, a flash fault) and stays bad: from the n-th write of the
 * sale on, every write fails ('w<n>'); or, after the first machine's power cut, the rebooted
 * machine's store fails every write from boot ('boot') or every read for its first second ('boot-read').
 */
export type StoreFailure = { fromWrite: number } | { atBoot: 'writes' | 'reads' };
/** Recovery writes a few times (hand-over, log, dequeue, log update): cuts of the rebooted machine go that far. */
export const MAX_RECOVERY_CUT_WRITE = 4;

export interface Scenario {
  id: string;
  outcome: Outcome;
  fault: FaultPlan;
  /** The first machine's cut, then (optionally) the rebooted machine's: recovery cut by power too. */
  cuts: Cut[];
  store?: StoreFailure;
}

const cutText = (cut: Cut) => `w${cut.write}-${cut.kind}`;
const storeText = (store: StoreFailure) => ('fromWrite' in store ? `store-w${store.fromWrite}` : store.atBoot === 'writes' ? 'store-boot' : 'store-boot-read');

function scenario(outcome: Outcome, fault: FaultPlan, cuts: Cut[] = [], store?: StoreFailure): Scenario {
  const id = `${outcome}.${fault.name}.${cuts.length ? cuts.map(cutText).join('+') : 'nocut'}${store ? `.${storeText(store)}` : ''}`;
  return store ? { id, outcome, fault, cuts, store } : { id, outcome, fault, cuts };
}

/** Every write of the sale failing from there on, and a failing store after a cut at each of a few writes. */
function storeScenarios(outcome: Outcome, random: () => number, bootCuts: number): Scenario[] {
  const list: Scenario[] = [];
  for (let write = 1; write <= LONGEST_SALE_WRITES; write++) list.push(scenario(outcome, FAULT_PLANS[0]!, [], { fromWrite: write }));
  for (let i = 0; i < bootCuts; i++) {
    list.push(scenario(outcome, FAULT_PLANS[0]!, [pick(random, SALE_CUTS)], { atBoot: 'writes' }));
    list.push(scenario(outcome, FAULT_PLANS[0]!, [pick(random, SALE_CUTS)], { atBoot: 'reads' }));
  }
  return list;
}

function cutsUpTo(max: number): Cut[] {
  const cuts: Cut[] = [];
  for (let write = 1; write <= max; write++) for (const kind of CUT_KINDS) cuts.push({ write, kind });
  return cuts;
}

const SALE_CUTS = cutsUpTo(MAX_CUT_WRITE);
const RECOVERY_CUTS = cutsUpTo(MAX_RECOVERY_CUT_WRITE);

/**
 * Every combination of outcome, fault and one cut (or none); and, without a fault, every cut of
 * the sale followed by every cut of the recovery (about 15,000).
 */
export function universe(): Scenario[] {
  const list: Scenario[] = [];
  for (const outcome of OUTCOMES) {
    for (const fault of FAULT_PLANS) {
      list.push(scenario(outcome, fault));
      for (const cut of SALE_CUTS) list.push(scenario(outcome, fault, [cut]));
    }
    for (const cut of SALE_CUTS) for (const again of RECOVERY_CUTS) list.push(scenario(outcome, FAULT_PLANS[0]!, [cut, again]));
    for (let write = 1; write <= LONGEST_SALE_WRITES; write++) list.push(scenario(outcome, FAULT_PLANS[0]!, [], { fromWrite: write }));
    for (const cut of SALE_CUTS) for (const atBoot of ['writes', 'reads'] as const) list.push(scenario(outcome, FAULT_PLANS[0]!, [cut], { atBoot }));
  }
  return list;
}

export function findScenario(id: string): Scenario | undefined {
  const [outcome, faultName, cutsText, storeText, extra] = id.split('.');
  const fault = FAULT_PLANS.find((plan) => plan.name === faultName);
  if (!OUTCOMES.includes(outcome as Outcome) || !fault || cutsText === undefined || extra !== undefined) return undefined;
  let store: StoreFailure | undefined;
  if (storeText !== undefined) {
    const match = /^store-(?:w([1-9][0-9]*)|(boot)|(boot-read))$/.exec(storeText);
    if (!match) return undefined;
    store = match[1] ? { fromWrite: Number(match[1]) } : { atBoot: match[2] ? 'writes' : 'reads' };
  }
  if (cutsText === 'nocut') return scenario(outcome as Outcome, fault, [], store);
  const cuts: Cut[] = [];
  for (const text of cutsText.split('+')) {
    const match = /^w([1-9][0-9]*)-(before|lost|torn|after)$/.exec(text);
    if (!match) return undefined;
    cuts.push({ write: Number(match[1]), kind: match[2] as CutKind });
  }
  return scenario(outcome as Outcome, fault, cuts, store);
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/**
 * The default run (part of `npm test`), per outcome: a cut without a fault, a fault without a cut,
 * two with both, and a cut of the sale then one of its recovery.
 */
export function smallMatrix(seed: number): Scenario[] {
  const random = mulberry32(seed);
  const list: Scenario[] = [];
  for (const outcome of OUTCOMES) {
    list.push(scenario(outcome, FAULT_PLANS[0]!, [pick(random, SALE_CUTS)]));
    list.push(scenario(outcome, pick(random, FAULT_PLANS)));
    for (let i = 0; i < 2; i++) list.push(scenario(outcome, pick(random, FAULT_PLANS), [pick(random, SALE_CUTS)]));
    list.push(scenario(outcome, FAULT_PLANS[0]!, [pick(random, SALE_CUTS), pick(random, RECOVERY_CUTS)]));
  }
  // The store failing: from a seeded write of a seeded outcome's sale, and at boot after a cut.
  list.push(scenario(pick(random, OUTCOMES), FAULT_PLANS[0]!, [], { fromWrite: 1 + Math.floor(random() * LONGEST_SALE_WRITES) }));
  list.push(scenario('approve', FAULT_PLANS[0]!, [], { fromWrite: 1 + Math.floor(random() * LONGEST_SALE_WRITES) }));
  list.push(scenario('approve', FAULT_PLANS[0]!, [pick(random, SALE_CUTS)], { atBoot: 'writes' }));
  list.push(scenario(pick(random, OUTCOMES), FAULT_PLANS[0]!, [pick(random, SALE_CUTS)], { atBoot: 'reads' }));
  return dedupe(list);
}

/**
 * `--full` (about 1,400), per outcome: every cut without a fault; every fault without a cut and
 * under two seeded cuts; twenty seeded cuts of the sale then of the recovery, without a fault and
 * with a seeded one.
 */
export function fullMatrix(seed: number): Scenario[] {
  const random = mulberry32(seed);
  const list: Scenario[] = [];
  for (const outcome of OUTCOMES) {
    for (const cut of SALE_CUTS) list.push(scenario(outcome, FAULT_PLANS[0]!, [cut]));
    for (const fault of FAULT_PLANS) {
      list.push(scenario(outcome, fault));
      const first = pick(random, SALE_CUTS);
      let second = pick(random, SALE_CUTS);
      while (second === first) second = pick(random, SALE_CUTS);
      list.push(scenario(outcome, fault, [first]), scenario(outcome, fault, [second]));
    }
    // The late clock, a 409 and held creates matter most across a cut: two more cuts each.
    for (const fault of NEW_PLANS) {
      if (fault.tokenHangInRenewalWindow) continue;
      for (let i = 0; i < 2; i++) list.push(scenario(outcome, fault, [pick(random, SALE_CUTS)]));
    }
    for (let i = 0; i < 20; i++) {
      list.push(scenario(outcome, FAULT_PLANS[0]!, [pick(random, SALE_CUTS), pick(random, RECOVERY_CUTS)]));
      list.push(scenario(outcome, pick(random, FAULT_PLANS), [pick(random, SALE_CUTS), pick(random, RECOVERY_CUTS)]));
    }
    list.push(...storeScenarios(outcome, random, 2));
  }
  return dedupe(list);
}

function dedupe(list: Scenario[]): Scenario[] {
  const seen = new Set<string>();
  return list.filter((item) => !seen.has(item.id) && seen.add(item.id));
}
