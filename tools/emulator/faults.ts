// Faults on purpose: which request gets which misbehaviour. The plan only decides; the transport
// (fault-writer.ts) carries it out. Decisions are a pure function of the order of requests and the
// seed, so a test that gives a seed sees the same faults on every run.
import type { FaultKind, FaultSpec } from './types';

export const FAULT_KINDS: readonly FaultKind[] = [
  'latency',
  'status',
  'reset-before-headers',
  'reset-after-headers',
  'truncated-json',
  'malformed-json',
  'oversized-body',
  'slow-drip',
];

/** Kinds whose default is "the operation took effect, only the answer is damaged". */
const PROCESSED_BY_DEFAULT = new Set<FaultKind>(['reset-after-headers', 'truncated-json', 'malformed-json', 'oversized-body', 'slow-drip']);

export interface ArmedFault extends FaultSpec {
  id: number;
  times: number;
  skip: number;
  probability: number;
  processed: boolean;
  /** Matching requests seen so far, and how many of them got the fault. */
  matched: number;
  applied: number;
}

export interface FaultDecision {
  /** Total added latency of the 'latency' faults that fired. */
  latencyMs: number;
  /** The first other fault that fired, if any. */
  fault?: ArmedFault;
}

export class FaultError extends Error {}

export class FaultPlan {
  private faults: ArmedFault[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(
    seed: number,
    private readonly knownRoutes: readonly string[],
  ) {
    this.random = mulberry32(seed);
  }

  add(spec: FaultSpec): ArmedFault {
    if (!FAULT_KINDS.includes(spec.kind)) throw new FaultError(`unknown fault kind ${String(spec.kind)}; one of ${FAULT_KINDS.join(', ')}`);
    if (spec.route !== '*' && !this.knownRoutes.includes(spec.route)) throw new FaultError(`unknown route ${spec.route}; '*' or one of: ${this.knownRoutes.join(', ')}`);
    const times = spec.times ?? 1;
    const skip = spec.skip ?? 0;
    const probability = spec.probability ?? 1;
    if (!(times >= 0)) throw new FaultError('times must be a number >= 0 (or Infinity)');
    if (!(skip >= 0) || !Number.isFinite(skip)) throw new FaultError('skip must be a finite number >= 0');
    if (!(probability >= 0 && probability <= 1)) throw new FaultError('probability must be between 0 and 1');
    if (spec.kind === 'status' && spec.status !== undefined && !(spec.status >= 400 && spec.status <= 599)) throw new FaultError('status must be an HTTP error status (400-599)');
    const armed: ArmedFault = {
      ...spec,
      ...(spec.kind === 'status' ? { status: spec.status ?? 500 } : {}),
      id: this.nextId++,
      times,
      skip,
      probability,
      processed: spec.processed ?? PROCESSED_BY_DEFAULT.has(spec.kind),
      matched: 0,
      applied: 0,
    };
    this.faults.push(armed);
    return armed;
  }

  clear(): void {
    this.faults = [];
  }

  /** Restarts the random sequence: the same seed and the same requests give the same faults. */
  reseed(seed: number): void {
    this.random = mulberry32(seed);
  }

  list(): ArmedFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** Called once per API request, in arrival order. */
  decide(route: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    for (const fault of this.faults) {
      if (fault.route !== '*' && fault.route !== route) continue;
      if (fault.applied >= fault.times) continue;
      // Once another fault has been chosen, later non-latency faults are left untouched.
      if (decision.fault && fault.kind !== 'latency') continue;
      fault.matched += 1;
      if (fault.matched <= fault.skip) continue;
      if (fault.probability < 1 && this.random() >= fault.probability) continue;
      fault.applied += 1;
      if (fault.kind === 'latency') decision.latencyMs += fault.delayMs ?? 1000;
      else decision.fault = fault;
    }
    return decision;
  }
}

/** A small, well-known seeded PRNG (Mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
