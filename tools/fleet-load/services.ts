// What the fleet load run starts for itself, in one temporary folder: a PostgreSQL cluster (as the
// postgres user when this process is root, as .ci/fleet-external does), Mosquitto on loopback
// (plain or TLS, the fleet's own password and ACL files), and the fleet server as a child process
// it can SIGKILL and start again.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');

const isRoot = process.getuid?.() === 0;

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

export const delay = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

export async function waitForPort(port: number, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`the process on port ${port} exited`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); done(true); });
      socket.once('error', () => done(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await delay(100);
  }
}

function run(command: string, args: string[], asPostgres: boolean): void {
  const [file, argv] = asPostgres && isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
}

export function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  return join(root, versions.at(-1)!, 'bin');
}

export interface Postgres {
  url: string;
  port: number;
  restart(): void;
  stop(): void;
}

/** initdb + pg_ctl start on a free loopback port, password login over TCP. */
export async function startPostgres(work: string): Promise<Postgres> {
  const bin = pgBin();
  const dir = join(work, 'pg');
  const socketDir = join(work, 'pg-socket');
  mkdirSync(dir);
  mkdirSync(socketDir);
  const user = isRoot ? 'postgres' : (process.env.USER ?? 'postgres');
  if (isRoot) {
    const { uid, gid } = idOf('postgres');
    chownSync(dir, uid, gid);
    chownSync(socketDir, uid, gid);
  }
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(work, 'pg-password');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
  run(join(bin, 'initdb'), ['-D', dir, '-U', user, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8'], true);
  spawnSync('rm', ['-f', pwfile]);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${socketDir} -c max_connections=50`;
  run(join(bin, 'pg_ctl'), ['-D', dir, '-l', join(dir, 'server.log'), '-w', '-o', options, 'start'], true);
  let running = true;
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    port,
    restart() {
      run(join(bin, 'pg_ctl'), ['-D', dir, '-l', join(dir, 'server.log'), '-w', '-m', 'fast', '-o', options, 'restart'], true);
    },
    stop() {
      if (!running) return;
      running = false;
      try {
        run(join(bin, 'pg_ctl'), ['-D', dir, '-w', '-m', 'fast', 'stop'], true);
      } catch {
        // already stopped
      }
    },
  };
}

function idOf(user: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user}`);
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function groupId(group: string): number | undefined {
  const line = readFileSync('/etc/group', 'utf8').split('\n').find((entry) => entry.startsWith(`${group}:`));
  return line ? Number(line.split(':')[2]) : undefined;
}

export interface Mosquitto {
  url: string;
  port: number;
  dir: string;
  passwordFile: string;
  aclFile: string;
  /** The CA (PEM) with TLS. */
  ca?: string;
  /** Stops it (SIGTERM, waits) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  pid(): number | undefined;
}

/**
 * Mosquitto on loopback: no anonymous clients, the password and ACL files (written by the caller
 * before start), `use_username_as_clientid true`. As root it drops to the mosquitto user: the
 * folder gives its files the mosquitto group.
 */
export async function prepareMosquitto(work: string, tls: boolean): Promise<Omit<Mosquitto, 'restart' | 'stop' | 'pid'> & { start(): Promise<Mosquitto> }> {
  const binary = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((path) => existsSync(path));
  if (!binary) throw new Error('mosquitto not found (apt-get install mosquitto)');
  const dir = join(work, 'mosquitto');
  mkdirSync(dir);
  const group = groupId('mosquitto');
  if (isRoot && group !== undefined) {
    chownSync(dir, 0, group);
    chmodSync(dir, 0o2770);
  }
  let ca: string | undefined;
  const port = await freePort();
  const lines = [
    'per_listener_settings false',
    'allow_anonymous false',
    'use_username_as_clientid true',
    `password_file ${join(dir, 'passwords')}`,
    `acl_file ${join(dir, 'acl')}`,
    'persistence false',
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    `listener ${port} 127.0.0.1`,
    'max_connections -1',
  ];
  if (tls) {
    const { ensureCertificateChain } = await import('../emulator/certificates');
    const chain = ensureCertificateChain(join(work, 'certs'));
    writeFileSync(join(dir, 'chain.pem'), chain.cert);
    writeFileSync(join(dir, 'key.pem'), chain.key, { mode: 0o640 });
    lines.push(`certfile ${join(dir, 'chain.pem')}`, `keyfile ${join(dir, 'key.pem')}`);
    ca = chain.rootPem;
  }
  writeFileSync(join(dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
  const url = `${tls ? 'mqtts://localhost' : 'mqtt://127.0.0.1'}:${port}`;
  const base = { url, port, dir, passwordFile: join(dir, 'passwords'), aclFile: join(dir, 'acl'), ...(ca ? { ca } : {}) };
  return {
    ...base,
    async start() {
      let child: ChildProcess | undefined;
      const launch = async (): Promise<void> => {
        const started = spawn(binary, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
        let exited = false;
        started.once('exit', () => { exited = true; });
        started.stderr?.on('data', () => {});
        child = started;
        await waitForPort(port, 10_000, () => !exited);
      };
      const stopChild = async (): Promise<void> => {
        const current = child;
        child = undefined;
        if (!current || current.exitCode !== null || current.signalCode !== null) return;
        const gone = new Promise<void>((done) => current.once('exit', () => done()));
        current.kill('SIGTERM');
        await Promise.race([gone, delay(5000).then(() => current.kill('SIGKILL'))]);
        await gone;
      };
      await launch();
      return {
        ...base,
        async restart() {
          await stopChild();
          await launch();
        },
        stop: stopChild,
        pid: () => child?.pid,
      };
    },
  };
}

export interface FleetProcessOptions {
  args: string[];
  env: Record<string, string>;
  logFile: string;
}

export interface FleetProcess {
  pid(): number | undefined;
  /** Starts it and waits until it says it runs. */
  start(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** The highest VmHWM of every run so far (kB), and samples VmRSS now. */
  peakRssKb(): number;
  sample(): void;
  /** Lines of its output that match. */
  count(pattern: RegExp): number;
  lines: string[];
}

/** `node --import tsx fleet/main.ts …` in the repository: one process, its own pid. */
export function fleetProcess(options: FleetProcessOptions): FleetProcess {
  let child: ChildProcess | undefined;
  let peak = 0;
  const lines: string[] = [];
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const readStatus = (): void => {
    const pid = child?.pid;
    if (pid === undefined || child?.exitCode !== null) return;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      for (const name of ['VmHWM', 'VmRSS']) {
        const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
        if (match) peak = Math.max(peak, Number(match[1]));
      }
    } catch {
      // gone
    }
  };
  return {
    lines,
    pid: () => child?.pid,
    async start() {
      const started = spawn(process.execPath, ['--import', 'tsx', 'fleet/main.ts', ...options.args], {
        cwd: REPO,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      let buffer = '';
      let ready = false;
      let exited: string | undefined;
      const onData = (chunk: Buffer): void => {
        log.write(chunk);
        buffer += chunk.toString('utf8');
        const parts = buffer.split('\n');
        buffer = parts.pop()!;
        for (const line of parts) {
          lines.push(line);
          if (line.includes('Ctrl-C to stop.')) ready = true;
        }
      };
      started.stdout!.on('data', onData);
      started.stderr!.on('data', onData);
      started.once('exit', (code, signal) => { exited = `${code ?? signal}`; });
      const deadline = Date.now() + 60_000;
      while (!ready) {
        if (exited !== undefined) throw new Error(`the fleet server exited (${exited}): ${lines.slice(-5).join(' | ')}`);
        if (Date.now() > deadline) throw new Error('the fleet server did not start within 60 s');
        await delay(50);
      }
    },
    async kill(signal) {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      readStatus();
      const gone = new Promise<void>((done) => current.once('exit', () => done()));
      current.kill(signal);
      await Promise.race([gone, delay(10_000).then(() => current.kill('SIGKILL'))]);
      await gone;
    },
    peakRssKb: () => {
      readStatus();
      return peak;
    },
    sample: readStatus,
    count: (pattern) => lines.filter((line) => pattern.test(line)).length,
  };
}
