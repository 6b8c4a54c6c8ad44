// Runs a simulator app until it prints a given line (or a time limit passes), for the tests of the
// Moddable host's ports: their apps say when they are done, so a run takes no longer than needed.
import { spawn } from 'node:child_process';
import { moddableEnv } from '../support/moddable';

/**
 * Runs mc.so headless and resolves with everything it printed, once `done` matches the output or
 * after `maxSeconds`. Asynchronous, so that a server in this process (the emulator) can answer.
 */
export function runSimulatorUntil(app: string, done: RegExp, maxSeconds: number): Promise<string> {
  return new Promise((resolve) => {
    // `timeout` forwards a TERM to xvfb-run and mcsim, so ending it ends the whole run.
    const child = spawn('timeout', [String(maxSeconds), 'xvfb-run', '-a', 'stdbuf', '-oL', 'mcsim', app], { env: moddableEnv });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (done.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('close', () => resolve(output));
  });
}

/** The lines of `output` that start with `prefix` and a space, without the prefix. */
export function tracedLines(output: string, prefix: string): string[] {
  return output.split('\n').filter((line) => line.startsWith(`${prefix} `)).map((line) => line.slice(prefix.length + 1));
}
