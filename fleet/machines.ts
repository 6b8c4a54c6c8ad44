// Adding a machine: new credentials, its row, and the one file that carries them to the machine
// (provisioned like its other secrets). The clear password exists only in that file.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPosId } from './acl';
import { newCredentials } from './credentials';
import type { Database } from './database';

/** What a machine needs to reach the fleet (docs/fleet-protocol.md, "Credentials of a machine"). */
export interface MachineCredentials {
  posId: string;
  /** mqtt://host:port or mqtts://host:port */
  url: string;
  password: string;
  /** 64 hex digits. */
  key: string;
}

export async function addMachine(db: Database, posId: string, url: string): Promise<MachineCredentials> {
  if (!isPosId(posId)) throw new Error(`not a posId (A-Z, a-z, 0-9 and -, at most 24, not "fleet"): ${JSON.stringify(posId)}`);
  const credentials = await newCredentials();
  const rows = await db.query(
    'INSERT INTO machines (pos_id, password_hash, hmac_key) VALUES ($1, $2, $3) ON CONFLICT (pos_id) DO NOTHING RETURNING pos_id',
    [posId, credentials.passwordHash, credentials.key],
  );
  if (rows.length === 0) throw new Error(`machine ${posId} exists already`);
  return { posId, url, password: credentials.password, key: credentials.key };
}

/** Writes {dir}/{posId}.json readable by its owner only; returns its path. */
export function writeCredentialsFile(dir: string, credentials: MachineCredentials): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${credentials.posId}.json`);
  // wx: never overwrite another machine's (or an earlier) secrets by accident.
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return file;
}
