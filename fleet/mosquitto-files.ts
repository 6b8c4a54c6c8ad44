// For an operator who runs Mosquitto 2.0 instead of the embedded broker: its password file and ACL
// file, with the same users and rules as fleet/acl.ts. Mosquitto cannot read the server's scrypt
// hashes, so the password file is written from the clear passwords, when they are made.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { FLEET_USER, isPosId } from './acl';

// What mosquitto_passwd writes (src/password_mosq.c): 12 bytes of salt, PBKDF2-HMAC-SHA512 over
// 101 iterations, 64 bytes of hash, both base64 with padding.
const ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;

/** One line of a Mosquitto password file: `user:$7$101$<salt>$<hash>`. */
export function mosquittoPasswordLine(user: string, password: string, salt = randomBytes(SALT_BYTES)): string {
  if (user.includes(':') || /\s/.test(user)) throw new Error(`a Mosquitto user name cannot hold ':' or spaces`);
  const hash = pbkdf2Sync(password, salt, ITERATIONS, HASH_BYTES, 'sha512');
  return `${user}:$7$${ITERATIONS}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** `users` maps a user name (fleet or a posId) to its clear password. */
export function mosquittoPasswordFile(users: Record<string, string>): string {
  for (const user of Object.keys(users)) {
    if (user !== FLEET_USER && !isPosId(user)) throw new Error(`not a posId: ${JSON.stringify(user)}`);
  }
  return Object.entries(users).map(([user, password]) => mosquittoPasswordLine(user, password)).join('\n') + '\n';
}

/**
 * The ACL table. `pattern` lines apply to every user with %u as its name; the fleet user gets them
 * too, harmlessly: no machine is called fleet, so vend/fleet/… is nobody's topic.
 */
export function mosquittoAclFile(): string {
  return `# The fleet protocol's ACL (docs/fleet-protocol.md). Written by fleet/mosquitto-files.ts.
user ${FLEET_USER}
topic read vend/+/up/#
topic write vend/+/down/#

# Every machine: only its own topics; its user name is its posId.
pattern write vend/%u/up/#
pattern read vend/%u/down/#
`;
}

export function writeMosquittoFiles(passwordFile: string, aclFile: string, users: Record<string, string>): void {
  // Mosquitto reads these as its own user; 0644 keeps the ACL readable, the passwords hashed.
  writeFileSync(passwordFile, mosquittoPasswordFile(users), { mode: 0o640 });
  writeFileSync(aclFile, mosquittoAclFile(), { mode: 0o644 });
}

/**
 * Adds user to an existing password file, or gives it a new password: what `npm run fleet --
 * --add-machine` does for an operator's Mosquitto (which then needs a SIGHUP to read it again).
 */
export function upsertMosquittoUser(passwordFile: string, user: string, password: string): void {
  if (user !== FLEET_USER && !isPosId(user)) throw new Error(`not a posId: ${JSON.stringify(user)}`);
  const kept = existsSync(passwordFile)
    ? readFileSync(passwordFile, 'utf8').split('\n').filter((line) => line.trim() !== '' && !line.startsWith(`${user}:`))
    : [];
  const temporary = `${passwordFile}.${process.pid}.tmp`;
  writeFileSync(temporary, [...kept, mosquittoPasswordLine(user, password)].join('\n') + '\n', { mode: 0o640 });
  renameSync(temporary, passwordFile);
}
