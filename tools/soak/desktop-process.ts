// The desktop machine as the soak sees it: `npm start` in a child process on free ports, known
// only by the URLs it prints. Everything else goes through its automation API and the emulator's
// admin API.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START = fileURLToPath(new URL('../start.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface DesktopProcess {
  pageUrl: string;
  /** The built-in emulator's base URL (its admin API is under /emulator/). */
  emulatorUrl: string;
  pid: number;
  /** What it printed up to its URLs. */
  printed: string;
  /** The page server's resident memory (Linux /proc), bytes; undefined elsewhere. */
  serverRss(): number | undefined;
  stop(): Promise<void>;
}

export function startDesktopProcess(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<DesktopProcess> {
  // Always the built-in emulator: the soak injects faults and plays the customer through it.
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, START, '--port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { ...env, EPAYMENT_BASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`npm start did not print its URLs within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('exit', (code) => fail(new Error(`npm start exited (${code}):\n${output}`)));
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const page = /^page:\s+(\S+)/m.exec(output)?.[1];
      const emulator = /^emulator:\s+(\S+)/m.exec(output)?.[1];
      if (!page || !emulator) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      child.stderr!.resume();
      resolve({
        pageUrl: page,
        emulatorUrl: emulator.replace(/\/+$/, ''),
        pid: child.pid!,
        printed: output,
        serverRss: () => rssOf(child.pid!),
        stop: () => new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

function rssOf(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
