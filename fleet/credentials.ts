// A machine's secrets. The broker password is random and kept only as a salted scrypt hash (slow
// on purpose: a copied database does not give the passwords away). The HMAC key is kept as it is:
// the server needs it to sign every message down.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface NewCredentials {
  password: string;
  passwordHash: string;
  /** 64 hex digits. */
  key: string;
}

// N = 2^15, r = 8: ~32 MiB and tens of milliseconds per check; machines connect rarely.
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (error, derived) => (error ? reject(error) : resolve(derived)));
  });
}

/** `scrypt$N$r$p$<salt base64>$<hash base64>`: the parameters travel with the hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await scryptAsync(password, salt, { N, r, p, maxmem: SCRYPT.maxmem });
  return timingSafeEqual(actual, expected);
}

/** 24 random bytes, base64url: 32 characters a person can copy and a device can store. */
export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

export async function newCredentials(): Promise<NewCredentials> {
  const password = newPassword();
  return { password, passwordHash: await hashPassword(password), key: randomBytes(32).toString('hex') };
}

/** Compares two secrets in constant time (for the same length; the length is not secret). */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
