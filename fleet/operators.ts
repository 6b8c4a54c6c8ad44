// The people who log in to the page. Passwords are kept as salted scrypt hashes (credentials.ts:
// N = 2^15, r = 8) and checked in constant time; five wrong passwords in a row lock the name for
// 15 minutes (counted in the operators table, so a restart does not reset it).
import type { Database } from './database';
import { hashPassword, verifyPassword } from './credentials';

export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;
export const MIN_PASSWORD_LENGTH = 12;
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

export function isOperatorName(name: string): boolean {
  return NAME.test(name);
}

export async function addOperator(db: Database, name: string, password: string): Promise<number> {
  if (!isOperatorName(name)) throw new Error('an operator name is 1 to 64 of A-Z, a-z, 0-9 and . _ @ -');
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > 1024) throw new Error('the password is longer than 1024 characters');
  const rows = await db.query<{ id: number }>(
    'INSERT INTO operators (name, password_hash) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id',
    [name, await hashPassword(password)],
  );
  if (rows.length === 0) throw new Error(`operator ${name} exists already`);
  return rows[0]!.id;
}

export type LoginResult = { ok: true; operatorId: number } | { ok: false; reason: 'wrong' | 'locked' };

// An unknown name costs the same scrypt as a known one: the time does not tell which names exist.
let dummyHash: Promise<string> | undefined;

export async function checkLogin(db: Database, name: string, password: string): Promise<LoginResult> {
  const rows = await db.query<{ id: number; password_hash: string; locked: boolean }>(
    'SELECT id, password_hash, coalesce(locked_until > now(), false) AS locked FROM operators WHERE name = $1',
    [name.slice(0, 64)],
  );
  const operator = rows[0];
  if (!operator) {
    dummyHash ??= hashPassword('not a password of anyone');
    await verifyPassword(password, await dummyHash);
    return { ok: false, reason: 'wrong' };
  }
  if (operator.locked) return { ok: false, reason: 'locked' };
  if (password.length <= 1024 && (await verifyPassword(password, operator.password_hash))) {
    await db.query('UPDATE operators SET failed_logins = 0, locked_until = NULL WHERE id = $1', [operator.id]);
    return { ok: true, operatorId: operator.id };
  }
  // One statement: two wrong tries at the same moment both count.
  const counted = await db.query<{ locked: boolean }>(
    `UPDATE operators SET
       failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
       locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
     WHERE id = $1 RETURNING locked_until > now() AS locked`,
    [operator.id, MAX_FAILURES, LOCK_MINUTES],
  );
  return { ok: false, reason: counted[0]?.locked ? 'locked' : 'wrong' };
}
