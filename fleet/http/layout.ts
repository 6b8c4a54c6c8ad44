// The frame of every page after login: the menu, who is logged in, the logout form.
import { html, type Html } from './html';
import type { Session } from './sessions';

export const MENU = [
  ['/machines', 'Machines'],
  ['/sales', 'Sales'],
  ['/stock', 'Stock'],
  ['/alerts', 'Alerts'],
  ['/books', 'Books'],
] as const;

export function csrfField(session: Session): Html {
  return html`<input type="hidden" name="csrf" value="${session.csrf}">`;
}

export function page(title: string, body: Html, session?: Session, active = ''): Html {
  const menu = session
    ? html`<nav>${MENU.map(([href, label]) => html`<a href="${href}"${active === href ? html` aria-current="page"` : ''}>${label}</a>`)}
      <form method="post" action="/logout" class="logout">${csrfField(session)}<span>${session.operator}</span> <button>Log out</button></form></nav>`
    : '';
  return html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Fleet</title><link rel="stylesheet" href="/static/style.css"><script src="/static/page.js" defer></script></head>
<body>${menu}<main><h1>${title}</h1>
${body}</main></body></html>`;
}

/** A message above a page's content: ok or error. */
export function notice(text: string | null | undefined, kind: 'ok' | 'error' = 'ok'): Html {
  return text ? html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>` : html``;
}
