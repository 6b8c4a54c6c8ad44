// Login sessions: the cookie holds a random token, the table only its SHA-256 (a copied table opens
// no session). Each session has its own CSRF token, put in every form and checked on every POST.
// Before login, a short-lived cookie carries the login form's CSRF token (double submit).
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Database } from '../database';
import { sameSecret } from '../credentials';
import { cookies } from './respond';

export const SESSION_COOKIE = 'fleet_session';
export const LOGIN_COOKIE = 'fleet_login';
export const SESSION_HOURS = 12;

export interface Session {
  id: string;
  operatorId: number;
  operator: string;
  csrf: string;
}

const token = (): string => randomBytes(32).toString('base64url');
const hashOf = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

export function cookie(name: string, value: string, secure: boolean, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export async function createSession(db: Database, operatorId: number): Promise<{ cookieValue: string; csrf: string }> {
  const cookieValue = token();
  const csrf = token();
  await db.query('DELETE FROM sessions WHERE expires_at <= now()');
  await db.query(
    `INSERT INTO sessions (id, operator_id, csrf, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
    [hashOf(cookieValue), operatorId, csrf, SESSION_HOURS],
  );
  return { cookieValue, csrf };
}

export async function sessionOf(db: Database, request: IncomingMessage): Promise<Session | undefined> {
  const value = cookies(request).get(SESSION_COOKIE);
  if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) return undefined;
  const rows = await db.query<{ id: string; operator_id: number; name: string; csrf: string }>(
    `SELECT s.id, s.operator_id, o.name, s.csrf FROM sessions s JOIN operators o ON o.id = s.operator_id
     WHERE s.id = $1 AND s.expires_at > now()`,
    [hashOf(value)],
  );
  const row = rows[0];
  return row && { id: row.id, operatorId: row.operator_id, operator: row.name, csrf: row.csrf };
}

export async function endSession(db: Database, session: Session): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id = $1', [session.id]);
}

export function newLoginToken(): string {
  return token();
}

/** The login cookie's token, when it has one of the right shape. */
export function currentLoginToken(request: IncomingMessage): string | undefined {
  const value = cookies(request).get(LOGIN_COOKIE);
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

/** The login form's token: in its cookie and in the form, the same. */
export function loginTokenMatches(request: IncomingMessage, given: string | null): boolean {
  const expected = cookies(request).get(LOGIN_COOKIE);
  return !!expected && !!given && sameSecret(given, expected);
}

export function csrfMatches(session: Session, given: string | null): boolean {
  return !!given && sameSecret(given, session.csrf);
}
