// Logging in and out. The login form carries a token that must match its cookie (no session yet to
// hold one); a wrong name and a wrong password get the same answer; a locked name says so.
import type { Database } from '../../database';
import { checkLogin } from '../../operators';
import { html, type Html } from '../html';
import { notice, page } from '../layout';

export function loginPage(token: string, message?: string): Html {
  return page(
    'Log in',
    html`${notice(message, 'error')}<form method="post" action="/login" class="login">
<input type="hidden" name="csrf" value="${token}">
<label>Name <input name="name" autocomplete="username" required maxlength="64" autofocus></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required maxlength="1024"></label>
<button>Log in</button></form>`,
  );
}

export type LoginAttempt = { ok: true; operatorId: number } | { ok: false; message: string };

export async function attemptLogin(db: Database, form: URLSearchParams): Promise<LoginAttempt> {
  const result = await checkLogin(db, form.get('name') ?? '', form.get('password') ?? '');
  if (result.ok) return result;
  return { ok: false, message: result.reason === 'locked' ? 'Too many wrong passwords: this name is locked for 15 minutes.' : 'Wrong name or password.' };
}
