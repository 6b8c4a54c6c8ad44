// `npm run fleet:load -- [--machines N] [--duration S] [--sales-per-machine N] [--tls] [--embedded]
// [--no-faults] [--json]`: the fleet under load with restarts (tools/fleet-load/README.md). Exit
// code 1 when a sale was lost or stored twice, or a machine still waits for an ack.
import { parseArgs } from 'node:util';
import { DEFAULTS, runLoad, type LoadResult } from './load';

const USAGE = `usage: npm run fleet:load -- [options]

  --machines N            simulated machines, each a real FleetLink (default ${DEFAULTS.machines})
  --duration S            seconds of sales (default ${DEFAULTS.durationMs / 1000})
  --sales-per-machine N   and at most this many sales per machine (default: no cap)
  --sales-per-day N       each machine's sales per (real) day (default ${DEFAULTS.salesPerDay})
  --speed X               sales at X times real time (default ${DEFAULTS.speed})
  --heartbeat S           heartbeat interval in seconds (default ${DEFAULTS.heartbeatMs / 1000}, the real pace)
  --tls                   Mosquitto over TLS (mqtts://) with the emulator's certificate chain
  --embedded              PGlite and the fleet's embedded broker instead of PostgreSQL and Mosquitto
                          (only the fleet server is restarted)
  --no-faults             no restarts during the run
  --fleet-signal SIG      how the fleet server is ended in its restart (default SIGKILL)
  --drain S               at most this long to wait for the last acks (default ${DEFAULTS.drainTimeoutMs / 1000})
  --add-parallel N        machines added at once (scrypt; default ${DEFAULTS.addParallel})
  --reuse-hash            one scrypt hash for every machine's row (Mosquitto only: it checks its own
                          password file); each machine keeps its own password and key
  --json                  the result as JSON on stdout (progress on stderr)
  -h, --help              this text`;

function number(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} must be a number >= ${min}, not ${value}`);
  return parsed;
}

function print(result: LoadResult): void {
  const s = result.sales;
  console.log(`fleet-load: ${result.machines} machines, ${result.setup}`);
  for (const fault of result.faults) console.log(`  fault:        ${fault}`);
  console.log(`  sales:        ${s.made} made, ${s.stored} stored, ${s.lost} lost, ${s.duplicated} duplicated, ${s.missingReferences} references missing, ${s.unknown} unknown rows, ${s.unacked} machines unacked`);
  console.log(`  ingest:       ${result.ingestPerSecond.toFixed(1)} sales/s over the run, best 1-s window ${result.peakIngestPerSecond}`);
  console.log(`  latency:      first publish to row: p50 ${result.latencyMs.p50.toFixed(0)} ms, p99 ${result.latencyMs.p99.toFixed(0)} ms, max ${result.latencyMs.max.toFixed(0)} ms`);
  console.log(`  fleet server: peak RSS ${result.fleetPeakRssMb.toFixed(1)} MB`);
  console.log(`  database:     sales table + indexes ${(result.dbBytes / 1048576).toFixed(1)} MB, ${(result.dbBytesPer100kSales / 1048576).toFixed(1)} MB per 100k sales`);
  console.log(`  links:        ${result.links.connects} connects, ${result.links.salesSent} sale messages sent, ${result.links.acks} acks, ${result.links.refused} refused`);
  const refusals = Object.entries(result.fleetRefusals);
  if (refusals.length > 0) console.log(`  fleet refused: ${refusals.map(([reason, n]) => `${n}x ${reason}`).join('; ')}`);
  console.log(`  time:         ${result.durationS.toFixed(1)} s run (drain ${result.drainS.toFixed(1)} s), machines added in ${result.addMachinesS.toFixed(1)} s (${result.addMachinesHow})`);
  console.log(result.ok ? 'fleet-load: OK, every sale stored exactly once' : 'fleet-load: FAILED');
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        machines: { type: 'string' },
        duration: { type: 'string' },
        'sales-per-machine': { type: 'string' },
        'sales-per-day': { type: 'string' },
        speed: { type: 'string' },
        heartbeat: { type: 'string' },
        tls: { type: 'boolean', default: false },
        embedded: { type: 'boolean', default: false },
        'no-faults': { type: 'boolean', default: false },
        'fleet-signal': { type: 'string' },
        drain: { type: 'string' },
        'add-parallel': { type: 'string' },
        'reuse-hash': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) return console.log(USAGE);
  let options;
  try {
    options = {
      machines: Math.floor(number(values.machines, 'machines', DEFAULTS.machines)),
      durationMs: number(values.duration, 'duration', DEFAULTS.durationMs / 1000) * 1000,
      ...(values['sales-per-machine'] !== undefined ? { salesPerMachine: Math.floor(number(values['sales-per-machine'], 'sales-per-machine', 0)) } : {}),
      salesPerDay: number(values['sales-per-day'], 'sales-per-day', DEFAULTS.salesPerDay),
      speed: number(values.speed, 'speed', DEFAULTS.speed, 0.001),
      heartbeatMs: number(values.heartbeat, 'heartbeat', DEFAULTS.heartbeatMs / 1000, 0.1) * 1000,
      tls: values.tls,
      embedded: values.embedded,
      faults: !values['no-faults'],
      fleetSignal: (values['fleet-signal'] ?? 'SIGKILL') as NodeJS.Signals,
      drainTimeoutMs: number(values.drain, 'drain', DEFAULTS.drainTimeoutMs / 1000) * 1000,
      reuseHash: values['reuse-hash'],
      addParallel: Math.floor(number(values['add-parallel'], 'add-parallel', DEFAULTS.addParallel)),
    };
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const progress = (line: string): void => { (values.json ? console.error : console.log)(line); };
  const result = await runLoad({ ...options, log: progress });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else print(result);
  process.exit(result.ok ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(`fleet-load: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
