// Runs scenarios concurrently: each worker has its own emulator (faults are armed per emulator, so
// two scenarios never share one) and runs its scenarios one after another; each scenario has its
// own machine, flash and references.
import { startEmulator, type Emulator } from '../emulator/index';
import { runScenario, type ScenarioResult } from './run-scenario';
import type { Scenario } from './scenarios';

export interface MatrixOptions {
  concurrency: number;
  /** Called as each scenario ends (progress, failures as they come). */
  onResult?(result: ScenarioResult, done: number, total: number): void;
}

export interface MatrixReport {
  results: ScenarioResult[];
  scenarios: number;
  violations: number;
  durationMs: number;
}

export async function runMatrix(scenarios: readonly Scenario[], options: MatrixOptions): Promise<MatrixReport> {
  const started = Date.now();
  const results: ScenarioResult[] = new Array(scenarios.length);
  let next = 0;
  let done = 0;
  const worker = async (emulator: Emulator) => {
    while (next < scenarios.length) {
      const index = next++;
      const result = await runScenario(scenarios[index]!, emulator);
      results[index] = result;
      options.onResult?.(result, ++done, scenarios.length);
    }
  };
  const count = Math.max(1, Math.min(options.concurrency, scenarios.length));
  const emulators: Emulator[] = [];
  try {
    for (let i = 0; i < count; i++) {
      // Distinct secrets per emulator, long enough to be found if any log line carried one.
      emulators.push(await startEmulator({ rateLimits: false, seed: i + 1, credentials: { clientSecret: `fm-client-S3cret-${i}-4f9a2c`, subscriptionKey: `fm-subscription-K3y-${i}-77d1e0` } }));
    }
    await Promise.all(emulators.map(worker));
  } finally {
    await Promise.all(emulators.map((emulator) => emulator.close()));
  }
  return {
    results,
    scenarios: results.length,
    violations: results.reduce((sum, result) => sum + result.violations.length, 0),
    durationMs: Date.now() - started,
  };
}

/** The lines a failing scenario prints, with the command that replays it alone. */
export function failureReport(result: ScenarioResult, replay: string): string[] {
  return [
    `FAIL ${result.scenario.id} (${result.cuts} power cut(s) fired, ${result.durationMs} ms)`,
    ...result.violations.map((violation) => `  violation: ${violation}`),
    ...result.detail.map((line) => `  ${line}`),
    `  replay: ${replay} --only ${result.scenario.id}`,
  ];
}
