// A fleet on this computer for the desktop (`npm start -- --fleet`, `npm run fleet -- --demo N`):
// PGlite under .state/fleet/db, the embedded broker on loopback, and a credentials file per
// machine under .state/fleet/machines. The broker's port may change between runs, so a machine's
// file is rewritten with the current URL; a machine whose file was lost gets new secrets.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { newCredentials } from './credentials';
import { fleetPassword } from './fleet-password';
import type { MachineCredentials } from './machines';
import { startFleetServer, type FleetServer, type FleetServerOptions } from './server';
import type { VippsKeys } from './vipps/client';
import type { Emulator } from '../tools/emulator/index';

export const DEFAULT_FLEET_STATE = resolve(import.meta.dirname, '../.state/fleet');

export interface LocalFleet {
  server: FleetServer;
  stateDir: string;
  /** The path of `posId`'s credentials file (mode 0600), the machine added or its URL brought up to date. */
  credentialsFor(posId: string): Promise<string>;
  close(): Promise<void>;
}

/** A local emulator's merchant keys for the fleet (`npm start -- --fleet`, the tests): plain HTTP, or HTTPS trusting its root. */
export function emulatorVippsKeys(emulator: Pick<Emulator, 'baseUrl' | 'httpsBaseUrl' | 'rootCertificatePem' | 'credentials'>, scheme: 'http' | 'https' = 'http'): VippsKeys {
  const c = emulator.credentials;
  const keys = { clientId: c.clientId, clientSecret: c.clientSecret, subscriptionKey: c.subscriptionKey, msn: c.merchantSerialNumber };
  if (scheme === 'http') return { baseUrl: emulator.baseUrl, ...keys };
  if (!emulator.httpsBaseUrl) throw new Error('the emulator serves no HTTPS (start it with httpsPort)');
  return { baseUrl: emulator.httpsBaseUrl, ...keys, ca: emulator.rootCertificatePem };
}

export async function startLocalFleet(options: { stateDir?: string; httpPort?: number; log?: (line: string) => void } & Partial<FleetServerOptions> = {}): Promise<LocalFleet> {
  const stateDir = resolve(options.stateDir ?? DEFAULT_FLEET_STATE);
  const server = await startFleetServer({
    dataDir: join(stateDir, 'db'),
    mqttPort: 0,
    mqttHost: '127.0.0.1',
    fleetPassword: fleetPassword(stateDir),
    ...options,
  });
  return {
    server,
    stateDir,
    credentialsFor: (posId) => credentialsFor(server, stateDir, posId),
    close: () => server.close(),
  };
}

/** The path of `posId`'s credentials file (mode 0600) under `stateDir`, the machine added or its file brought up to date with the broker's URL. */
export async function credentialsFor(server: FleetServer, stateDir: string, posId: string): Promise<string> {
  const dir = join(stateDir, 'machines');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${posId}.json`);
  const known = (await server.db.query('SELECT 1 FROM machines WHERE pos_id = $1', [posId])).length > 0;
  let credentials: MachineCredentials;
  if (!known) {
    credentials = await server.addMachine(posId);
  } else if (existsSync(file)) {
    credentials = JSON.parse(readFileSync(file, 'utf8')) as MachineCredentials;
  } else {
    const fresh = await newCredentials();
    await server.db.query('UPDATE machines SET password_hash = $2, hmac_key = $3 WHERE pos_id = $1', [posId, fresh.passwordHash, fresh.key]);
    credentials = { posId, url: server.mqttUrl, password: fresh.password, key: fresh.key };
  }
  writeFileSync(file, `${JSON.stringify({ ...credentials, url: server.mqttUrl }, null, 2)}\n`, { mode: 0o600 });
  return file;
}
