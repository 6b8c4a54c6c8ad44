// The fleet under load (tools/fleet-load/README.md): N machines, each a real FleetLink over a real
// SaleJournal on a MemoryStore and the Node host's MQTT connection, selling at 100x real time while
// the broker, the fleet server and the database are restarted; then every sale must be stored
// exactly once.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from 'journal/memory-store';
import { FleetLink, FLEET_TIMING, type FleetSource } from 'fleet/link';
import type { MqttConnect } from 'ports/mqtt';
import { SaleJournal } from 'app/sale/journal';
import { nodeMqttConnect } from '../../hosts/node/mqtt-connect';
import { systemClock } from '../../hosts/node/system-clock';
import { openDatabase, type Database } from '../../fleet/database';
import { FLEET_USER } from '../../fleet/acl';
import { hashPassword, newPassword } from '../../fleet/credentials';
import { addMachine, type MachineCredentials } from '../../fleet/machines';
import { migrate } from '../../fleet/migrate';
import { writeMosquittoFiles } from '../../fleet/mosquitto-files';
import { delay, fleetProcess, freePort, prepareMosquitto, startPostgres, type FleetProcess, type Mosquitto, type Postgres } from './services';

export interface LoadOptions {
  machines: number;
  /** Stop making sales after this long (ms). */
  durationMs: number;
  /** And after this many per machine (undefined: no cap). */
  salesPerMachine?: number;
  salesPerDay: number;
  /** Time runs this much faster than real for sales (heartbeats: see heartbeatMs). */
  speed: number;
  heartbeatMs: number;
  /** PGlite in the fleet's state folder and its embedded broker, instead of PostgreSQL + Mosquitto. */
  embedded: boolean;
  tls: boolean;
  /** Restarts during the run (fractions of the duration): mosquitto, fleet (SIGKILL), postgres. */
  faults: boolean;
  /** The signal that ends the fleet server in its restart (SIGKILL by default). */
  fleetSignal: NodeJS.Signals;
  drainTimeoutMs: number;
  /** Machines added at once (scrypt runs on libuv's thread pool). */
  addParallel: number;
  /**
   * One scrypt hash for every machine's row (each still has its own password and key): only with
   * Mosquitto, which checks passwords against its own file, never the database's hash.
   */
  reuseHash: boolean;
  log: (line: string) => void;
}

export const DEFAULTS: LoadOptions = {
  machines: 50,
  durationMs: 30_000,
  salesPerDay: 200,
  speed: 100,
  heartbeatMs: FLEET_TIMING.heartbeatMs,
  embedded: false,
  tls: false,
  faults: true,
  fleetSignal: 'SIGKILL',
  drainTimeoutMs: 120_000,
  addParallel: 4,
  reuseHash: false,
  log: () => {},
};

export interface LoadResult {
  machines: number;
  setup: string;
  sales: { made: number; stored: number; lost: number; duplicated: number; unknown: number; missingReferences: number; unacked: number };
  ok: boolean;
  /** Sales stored per second over the run (first to last row's received_at), and the best one-second window. */
  ingestPerSecond: number;
  peakIngestPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  fleetPeakRssMb: number;
  dbBytesPer100kSales: number;
  dbBytes: number;
  durationS: number;
  addMachinesS: number;
  addMachinesHow: string;
  drainS: number;
  faults: string[];
  fleetRefusals: Record<string, number>;
  links: { connects: number; salesSent: number; acks: number; refused: number };
}

interface Machine {
  posId: string;
  journal: SaleJournal;
  link: FleetLink;
  references: string[];
}

function journalSource(journal: SaleJournal): FleetSource {
  return {
    hello: () => ({ fw: '0.1.0', cfg: 'c'.repeat(64), boot: 1 }),
    heartbeat: () => ({ screen: 'idle', inService: true, queue: 0, pending: 0, late: 0, overdue: 0 }),
    alerts: () => ({}),
    saleEvents: (after, limit) => journal.saleEvents(after, limit)?.filter((event) => event.outcome !== 'test-fire').map((event) => ({ seq: event.seq, time: event.time, reference: event.reference, product: event.product, amount: event.amount, currency: 'NOK', outcome: event.outcome })),
    lastSeq: () => journal.lastSaleSeq,
    acked: () => journal.fleetAcked,
    setAcked: (seq) => journal.setFleetAcked(seq),
    saleOpen: () => false,
    catalog: () => ({ cfg: 'c'.repeat(64), languages: ['en'], currency: 'NOK', products: [] }),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function addMachines(db: Database, count: number, url: string, parallel: number, reuseHash: boolean): Promise<MachineCredentials[]> {
  const posIds = Array.from({ length: count }, (_, i) => `load-${String(i + 1).padStart(5, '0')}`);
  if (reuseHash) {
    const passwordHash = await hashPassword(newPassword());
    const made = posIds.map((posId) => ({ posId, url, password: newPassword(), key: randomBytes(32).toString('hex') }));
    for (let i = 0; i < made.length; i += 500) {
      const batch = made.slice(i, i + 500);
      await db.query(
        `INSERT INTO machines (pos_id, password_hash, hmac_key) SELECT unnest($1::text[]), $2, unnest($3::text[])`,
        [batch.map((m) => m.posId), passwordHash, batch.map((m) => m.key)],
      );
    }
    return made;
  }
  const out: MachineCredentials[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await addMachine(db, posIds[i]!, url);
    }
  }));
  return out;
}

export async function runLoad(partial: Partial<LoadOptions> = {}): Promise<LoadResult> {
  const options: LoadOptions = { ...DEFAULTS, ...partial };
  const { log } = options;
  const work = mkdtempSync(join(tmpdir(), 'fleet-load-'));
  chmodSync(work, 0o755);
  const state = join(work, 'fleet-state');
  let postgres: Postgres | undefined;
  let mosquitto: Mosquitto | undefined;
  let fleet: FleetProcess | undefined;
  const machines: Machine[] = [];
  try {
    const fleetPassword = randomBytes(18).toString('base64url');
    let databaseUrl: string | undefined;
    let mqttUrl: string;
    let ca: string | undefined;
    let fleetArgs: string[];
    let setup: string;
    const prepared = options.embedded ? undefined : await prepareMosquitto(work, options.tls);
    if (options.embedded) {
      const port = await freePort();
      mqttUrl = `mqtt://127.0.0.1:${port}`;
      fleetArgs = ['--state', state, '--mqtt-port', String(port), '--mqtt-host', '127.0.0.1'];
      setup = 'PGlite + embedded aedes broker';
    } else {
      postgres = await startPostgres(work);
      databaseUrl = postgres.url;
      mqttUrl = prepared!.url;
      ca = prepared!.ca;
      fleetArgs = ['--state', state, '--database', databaseUrl, '--mqtt', mqttUrl];
      if (ca) {
        writeFileSync(join(work, 'mqtt-ca.pem'), ca);
        fleetArgs.push('--mqtt-ca', join(work, 'mqtt-ca.pem'));
      }
      setup = `PostgreSQL (own cluster) + Mosquitto (${options.tls ? 'TLS' : 'plain'})`;
    }
    log(`fleet-load: ${options.machines} machines, ${setup}, in ${work}`);

    // The machines, with the fleet's library against the same database the server will use.
    const started = Date.now();
    const db = await openDatabase({ url: databaseUrl, dataDir: options.embedded ? join(state, 'db') : undefined });
    let credentials: MachineCredentials[];
    try {
      await migrate(db);
      if (options.reuseHash && options.embedded) throw new Error('--reuse-hash needs Mosquitto: the embedded broker checks the database\'s hash');
      credentials = await addMachines(db, options.machines, mqttUrl, options.addParallel, options.reuseHash);
    } finally {
      await db.close();
    }
    const addMachinesS = (Date.now() - started) / 1000;
    log(`fleet-load: added ${options.machines} machines in ${addMachinesS.toFixed(1)} s (${options.reuseHash ? 'one shared scrypt hash' : `${options.addParallel} at once`})`);
    if (prepared) {
      writeMosquittoFiles(prepared.passwordFile, prepared.aclFile, { [FLEET_USER]: fleetPassword, ...Object.fromEntries(credentials.map((c) => [c.posId, c.password])) });
      mosquitto = await prepared.start();
    }

    fleet = fleetProcess({ args: fleetArgs, env: { FLEET_MQTT_PASSWORD: fleetPassword }, logFile: join(work, 'fleet.log') });
    await fleet.start();
    log(`fleet-load: fleet server pid ${fleet.pid()}`);

    // First publish time of each reference, from the connection the links use.
    const firstPublish = new Map<string, number>();
    const inner = nodeMqttConnect(ca ? { ca } : {});
    const connect: MqttConnect = (settings, handlers) => {
      const connection = inner(settings, handlers);
      return {
        publish(topic, payload) {
          const sent = connection.publish(topic, payload);
          if (sent && topic.endsWith('/up/sale')) {
            const reference = (JSON.parse(payload) as { reference: string }).reference;
            if (!firstPublish.has(reference)) firstPublish.set(reference, Date.now());
          }
          return sent;
        },
        close: () => connection.close(),
      };
    };
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    for (const credential of credentials) {
      const journal = new SaleJournal(new MemoryStore(), { posId: credential.posId, currency: 'NOK' });
      const link = new FleetLink({
        posId: credential.posId,
        credentials: credential,
        connect,
        source: journalSource(journal),
        clock: systemClock,
        wallTime: () => Date.now(),
        log: quiet,
        timing: { heartbeatMs: options.heartbeatMs },
      });
      machines.push({ posId: credential.posId, journal, link, references: [] });
    }
    // Connect in steps, as a fleet that powers up over a few seconds.
    for (let i = 0; i < machines.length; i += 50) {
      for (const machine of machines.slice(i, i + 50)) machine.link.start();
      await delay(50);
    }

    // Sales: each machine at salesPerDay x speed, at a regular pace from a random phase.
    const intervalMs = 86_400_000 / (options.salesPerDay * options.speed);
    const runStart = Date.now();
    const timers = new Set<NodeJS.Timeout>();
    let counter = 0;
    const sell = (machine: Machine): void => {
      if (Date.now() - runStart >= options.durationMs) return;
      if (options.salesPerMachine !== undefined && machine.references.length >= options.salesPerMachine) return;
      const reference = `${machine.posId}-${(++counter).toString(36)}-${randomBytes(3).toString('hex')}`;
      machine.journal.appendLog({ time: Math.floor(Date.now() / 1000), product: 'cola', amount: 2500, reference, outcome: 'captured' });
      machine.references.push(reference);
      machine.link.changed();
      const timer = setTimeout(() => { timers.delete(timer); sell(machine); }, intervalMs);
      timers.add(timer);
    };
    for (const machine of machines) {
      const timer = setTimeout(() => { timers.delete(timer); sell(machine); }, Math.random() * intervalMs);
      timers.add(timer);
    }

    // Faults on a schedule.
    const faults: string[] = [];
    const schedule: Array<{ at: number; what: string; act: () => Promise<void> }> = [];
    if (options.faults) {
      if (mosquitto) schedule.push({ at: 0.2, what: 'mosquitto restarted', act: () => mosquitto!.restart() });
      schedule.push({ at: 0.45, what: `fleet server ${options.fleetSignal === 'SIGKILL' ? 'killed (SIGKILL)' : `stopped (${options.fleetSignal})`} and started again`, act: async () => { await fleet!.kill(options.fleetSignal); await fleet!.start(); } });
      if (postgres) schedule.push({ at: 0.7, what: 'PostgreSQL restarted (pg_ctl restart -m fast)', act: async () => postgres!.restart() });
    }
    const sampler = setInterval(() => fleet?.sample(), 1000);
    let faultChain = Promise.resolve();
    const faultTimers = schedule.map((fault) => setTimeout(() => {
      faultChain = faultChain.then(async () => {
        const t0 = Date.now();
        await fault.act();
        const line = `${fault.what} at ${((t0 - runStart) / 1000).toFixed(1)} s (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
        faults.push(line);
        log(`fleet-load: ${line}`);
      });
    }, fault.at * options.durationMs));
    const progress = setInterval(() => {
      const made = machines.reduce((sum, machine) => sum + machine.references.length, 0);
      const acked = machines.reduce((sum, machine) => sum + machine.link.ackedSeq, 0);
      const connected = machines.filter((machine) => machine.link.connected).length;
      log(`fleet-load: ${((Date.now() - runStart) / 1000).toFixed(0)} s: ${made} sales made, ${acked} acked, ${connected}/${machines.length} connected`);
    }, 5000);

    await delay(options.durationMs);
    for (const timer of timers) clearTimeout(timer);
    for (const timer of faultTimers) clearTimeout(timer);
    await faultChain;

    // Drain: every link acked up to its last sequence number.
    const drainStart = Date.now();
    const done = () => machines.every((machine) => machine.link.ackedSeq >= machine.journal.lastSaleSeq);
    while (!done() && Date.now() - drainStart < options.drainTimeoutMs) await delay(200);
    const drainS = (Date.now() - drainStart) / 1000;
    clearInterval(progress);
    const unacked = machines.filter((machine) => machine.link.ackedSeq < machine.journal.lastSaleSeq).length;
    log(`fleet-load: drained in ${drainS.toFixed(1)} s${unacked ? `, ${unacked} machines still waiting for acks` : ''}`);
    const durationS = (Date.now() - runStart) / 1000;
    for (const machine of machines) machine.link.stop();
    clearInterval(sampler);
    const fleetPeakRssMb = fleet.peakRssKb() / 1024;

    // What the database holds.
    let rows: Array<{ pos_id: string; reference: string; received_ms: number }>;
    let dbBytes: number;
    let readDb: Database;
    if (options.embedded) {
      await fleet.kill('SIGTERM');
      readDb = await openDatabase({ dataDir: join(state, 'db') });
    } else {
      readDb = await openDatabase({ url: databaseUrl });
    }
    try {
      rows = (await readDb.query<{ pos_id: string; reference: string; received_ms: number }>(
        `SELECT pos_id, reference, (extract(epoch from received_at) * 1000)::float8 AS received_ms FROM sales`,
      )).map((row) => ({ ...row, received_ms: Number(row.received_ms) }));
      dbBytes = Number((await readDb.query<{ size: number }>(`SELECT pg_total_relation_size('sales')::float8 AS size`))[0]!.size);
    } finally {
      await readDb.close();
    }

    const made = machines.reduce((sum, machine) => sum + machine.references.length, 0);
    const byMachine = new Map<string, Map<string, number>>();
    for (const row of rows) {
      let references = byMachine.get(row.pos_id);
      if (!references) byMachine.set(row.pos_id, (references = new Map()));
      references.set(row.reference, (references.get(row.reference) ?? 0) + 1);
    }
    let lost = 0;
    let duplicated = 0;
    let unknown = 0;
    let missingReferences = 0;
    const latencies: number[] = [];
    const received = new Map(rows.map((row) => [row.reference, row.received_ms]));
    for (const machine of machines) {
      const stored = byMachine.get(machine.posId) ?? new Map<string, number>();
      const storedCount = [...stored.values()].reduce((sum, n) => sum + n, 0);
      if (storedCount < machine.references.length) lost += machine.references.length - storedCount;
      const own = new Set(machine.references);
      for (const [reference, n] of stored) {
        if (n > 1) duplicated += n - 1;
        if (!own.has(reference)) unknown += n;
      }
      for (const reference of machine.references) {
        if (!stored.has(reference)) missingReferences++;
        const sent = firstPublish.get(reference);
        const at = received.get(reference);
        if (sent !== undefined && at !== undefined) latencies.push(Math.max(0, at - sent));
      }
    }
    latencies.sort((a, b) => a - b);
    const times = rows.map((row) => row.received_ms).sort((a, b) => a - b);
    const span = times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : 0;
    let peak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    const refusals: Record<string, number> = {};
    for (const line of fleet.lines) {
      const match = /ingest: refused \S+: (.*)$/.exec(line);
      if (match) {
        const reason = match[1]!.replace(/\d+/g, 'N').slice(0, 80);
        refusals[reason] = (refusals[reason] ?? 0) + 1;
      }
    }
    const links = { connects: 0, salesSent: 0, acks: 0, refused: 0 };
    for (const machine of machines) for (const key of Object.keys(links) as Array<keyof typeof links>) links[key] += machine.link.counts[key];
    const ok = lost === 0 && duplicated === 0 && unknown === 0 && missingReferences === 0 && unacked === 0 && made > 0;
    return {
      machines: options.machines,
      setup,
      sales: { made, stored: rows.length, lost, duplicated, unknown, missingReferences, unacked },
      ok,
      ingestPerSecond: span > 0 ? rows.length / span : rows.length,
      peakIngestPerSecond: peak,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? NaN },
      fleetPeakRssMb,
      dbBytes,
      dbBytesPer100kSales: rows.length > 0 ? (dbBytes / rows.length) * 100_000 : 0,
      durationS,
      addMachinesS,
      addMachinesHow: options.reuseHash ? 'one shared scrypt hash, one INSERT per 500' : `fleet addMachine, ${options.addParallel} at once`,
      drainS,
      faults,
      fleetRefusals: refusals,
      links,
    };
  } finally {
    for (const machine of machines) machine.link.stop();
    await fleet?.kill('SIGKILL').catch(() => {});
    await mosquitto?.stop().catch(() => {});
    postgres?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
