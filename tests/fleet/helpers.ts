// The fleet tests' world: real parts only. By default PGlite in memory and the embedded aedes
// broker on loopback; with FLEET_TEST_DATABASE_URL a real PostgreSQL (each suite gets a database
// of its own, dropped after), with FLEET_TEST_MQTT_URL a real Mosquitto whose password and ACL
// files the tests write and make it reload. `npm run test:fleet:external` sets FLEET_TEST_EXTERNAL=1,
// which makes both required.
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { openDatabase, type Database } from '../../fleet/database';
import type { Outcome } from '../../fleet/ingest';
import type { MachineCredentials } from '../../fleet/machines';
import { writeMosquittoFiles } from '../../fleet/mosquitto-files';
import { startFleetServer, type FleetServer, type FleetServerOptions } from '../../fleet/server';

export const env = {
  external: process.env.FLEET_TEST_EXTERNAL === '1',
  databaseUrl: process.env.FLEET_TEST_DATABASE_URL,
  mqttUrl: process.env.FLEET_TEST_MQTT_URL,
  /** The CA (PEM file) of Mosquitto's certificate, for mqtts://. */
  mqttCaFile: process.env.FLEET_TEST_MQTT_CA,
  passwordFile: process.env.FLEET_TEST_MOSQUITTO_PASSWORD_FILE,
  aclFile: process.env.FLEET_TEST_MOSQUITTO_ACL_FILE,
  /** Mosquitto's process id: SIGHUP makes it read the two files again. */
  mosquittoPid: process.env.FLEET_TEST_MOSQUITTO_PID,
};

export function describeSetup(): string {
  return `${env.databaseUrl ? 'PostgreSQL' : 'PGlite'} + ${env.mqttUrl ? 'Mosquitto' : 'aedes'}`;
}

/** Throws (fails the run) when the external run lacks what it needs. */
export function checkExternalEnv(): void {
  if (!env.external) return;
  const missing = Object.entries({
    FLEET_TEST_DATABASE_URL: env.databaseUrl,
    FLEET_TEST_MQTT_URL: env.mqttUrl,
    FLEET_TEST_MOSQUITTO_PASSWORD_FILE: env.passwordFile,
    FLEET_TEST_MOSQUITTO_ACL_FILE: env.aclFile,
    FLEET_TEST_MOSQUITTO_PID: env.mosquittoPid,
  })
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (env.mqttUrl?.startsWith('mqtts:') && !env.mqttCaFile) missing.push('FLEET_TEST_MQTT_CA');
  if (missing.length > 0) throw new Error(`the external fleet tests need ${missing.join(', ')}`);
}

export const mqttCa = (): string | undefined => (env.mqttCaFile ? readFileSync(env.mqttCaFile, 'utf8') : undefined);

/** A database of its own: PGlite in memory, or a new database on the PostgreSQL server. */
export async function freshDatabaseUrl(): Promise<{ url?: string; drop(): Promise<void> }> {
  checkExternalEnv();
  if (!env.databaseUrl) return { drop: async () => {} };
  const name = `fleet_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: env.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(env.databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: env.databaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function freshDatabase(): Promise<{ db: Database; url?: string; drop(): Promise<void> }> {
  const fresh = await freshDatabaseUrl();
  const db = await openDatabase({ url: fresh.url });
  return {
    db,
    url: fresh.url,
    async drop() {
      await db.close();
      await fresh.drop();
    },
  };
}

export interface TestFleet {
  server: FleetServer;
  db: Database;
  /** The broker's URL as a machine uses it. */
  url: string;
  outcomes: Outcome[];
  logs: string[];
  /** A machine with new credentials, known to the broker when this resolves. */
  addMachine(posId: string): Promise<MachineCredentials>;
  /** The next outcome (after those already seen) on topic. */
  nextOutcome(topic: string, timeoutMs?: number): Promise<Outcome>;
  close(): Promise<void>;
}

export async function startTestFleet(extra: Partial<FleetServerOptions> = {}): Promise<TestFleet> {
  checkExternalEnv();
  const fresh = await freshDatabaseUrl();
  const fleetPassword = randomBytes(18).toString('base64url');
  const users: Record<string, string> = { fleet: fleetPassword };
  if (env.mqttUrl) await reloadMosquitto(users);
  const outcomes: Outcome[] = [];
  const logs: string[] = [];
  const waiters: Array<{ topic: string; after: number; resolve: (outcome: Outcome) => void }> = [];
  const server = await startFleetServer({
    databaseUrl: fresh.url,
    mqttUrl: env.mqttUrl,
    mqttCa: mqttCa(),
    mqttPort: 0,
    mqttHost: '127.0.0.1',
    fleetPassword,
    log: (line) => logs.push(line),
    onHandled: (outcome) => {
      outcomes.push(outcome);
      for (const waiter of [...waiters]) {
        if (waiter.topic === outcome.topic && outcomes.length > waiter.after) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(outcome);
        }
      }
    },
    ...extra,
  });
  const url = env.mqttUrl ?? server.mqttUrl;
  return {
    server,
    db: server.db,
    url,
    outcomes,
    logs,
    async addMachine(posId) {
      const credentials = await server.addMachine(posId);
      if (env.mqttUrl) {
        users[posId] = credentials.password;
        await reloadMosquitto(users);
        await waitForLogin(url, credentials);
      }
      return credentials;
    },
    nextOutcome(topic, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no outcome on ${topic} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ topic, after: outcomes.length, resolve: (outcome) => (clearTimeout(timer), resolve(outcome)) });
      });
    },
    async close() {
      await server.close();
      await fresh.drop();
    },
  };
}

async function reloadMosquitto(users: Record<string, string>): Promise<void> {
  writeMosquittoFiles(env.passwordFile!, env.aclFile!, users);
  process.kill(Number(env.mosquittoPid), 'SIGHUP');
  await delay(200);
}

/** Mosquitto reads its files again some moment after SIGHUP: try until the machine gets in. */
async function waitForLogin(url: string, credentials: MachineCredentials): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const client = await connectMachine(url, credentials, { will: false });
      await client.endAsync();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await delay(100);
    }
  }
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface MachineOptions {
  /** Set the protocol's last will (default true). */
  will?: boolean;
  password?: string;
  /** Log in as this user name instead of the posId. */
  username?: string;
  willTopic?: string;
  clientId?: string;
}

/** A machine as the firmware will be: user = posId, last will on its up/will, MQTT 3.1.1. */
export function connectMachine(url: string, credentials: MachineCredentials, options: MachineOptions = {}): Promise<MqttClient> {
  const clientOptions: IClientOptions = {
    username: options.username ?? credentials.posId,
    password: options.password ?? credentials.password,
    clientId: options.clientId ?? credentials.posId,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...(mqttCa() ? { ca: mqttCa() } : {}),
    ...(options.will === false
      ? {}
      : { will: { topic: options.willTopic ?? `vend/${credentials.posId}/up/will`, payload: Buffer.from('{"v":1,"online":false}'), qos: 0, retain: false } }),
  };
  return connectAsync(url, clientOptions);
}

/** Resolves with the next message the client receives on topic. */
export function nextMessage(client: MqttClient, topic: string, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (received: string, payload: Buffer): void => {
      if (received !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(payload);
    };
    client.on('message', onMessage);
  });
}

export function sale(posId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, seq: 1, time: 1_765_000_000, reference: `${posId}-0001`, product: 'cola', amount: 2500, currency: 'NOK', outcome: 'captured', ...fields };
}

export function heartbeat(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, t: 1_765_000_000, screen: 'idle', inService: true, queue: 0, pending: 0, late: 0, overdue: 0, heap: 51200, rssi: -60, seq: 3, acked: 3, lost: 0, ...fields };
}

export function hello(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, fw: '0.1.0', cfg: 'a'.repeat(64), boot: 7, t: 1_765_000_000, ...fields };
}
