// The operator's page over plain node:http (or https with a key and certificate): routing, the
// session and CSRF checks in one place, static files, and every answer's security headers.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Publisher } from '../config-versions';
import type { Database } from '../database';
import type { VippsClient } from '../vipps/client';
import type { WebhookReceiver } from '../webhooks/receiver';
import type { Answer, PageContext } from './context';
import { html } from './html';
import { page } from './layout';
import { alertsPage, setAlertSettings } from './pages/alerts';
import { catalogPage, editCatalog } from './pages/catalog';
import { attemptLogin, loginPage } from './pages/login';
import { machinesPage } from './pages/machines';
import { refundPage, refundPost } from './pages/refund';
import { salesCsv, salesPage } from './pages/sales';
import { setLowLevel, setStockSettings, stockPage } from './pages/stock';
import { BodyTooLarge, readForm, redirect, send, sendHtml, sendText } from './respond';
import {
  LOGIN_COOKIE, SESSION_COOKIE, SESSION_HOURS, cookie, createSession, csrfMatches, currentLoginToken, endSession, loginTokenMatches, newLoginToken, sessionOf,
} from './sessions';

export interface OperatorHttpOptions {
  db: Database;
  publisher: Publisher;
  vipps?: VippsClient;
  /** 0: any free port. */
  port: number;
  host?: string;
  /** Served over https with Secure cookies. */
  tls?: { key: string; cert: string };
  log?: (line: string) => void;
  /** The route the service delivers webhooks to: outside the session and CSRF checks. */
  webhooks?: { path: string; receive: WebhookReceiver };
}

export interface OperatorHttp {
  url: string;
  port: number;
  close(): Promise<void>;
}

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'static');
const STATIC: Record<string, { file: string; type: string }> = {
  '/static/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/static/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
};

type Handler = (ctx: PageContext, ...params: string[]) => Promise<Answer>;
interface Route { method: 'GET' | 'POST'; path: RegExp; handler: Handler }

const sentNotice = (ctx: PageContext, posId: string): Promise<Answer> => {
  const sent = ctx.url.searchParams.get('sent');
  return catalogPage(ctx, posId, sent && /^\d{1,10}$/.test(sent) ? { text: `Version ${sent} sent; the machine applies it between sales and answers.`, kind: 'ok' } : undefined);
};

const ROUTES: Route[] = [
  { method: 'GET', path: /^\/machines$/, handler: machinesPage },
  { method: 'GET', path: /^\/machines\/([A-Za-z0-9-]{1,24})\/catalog$/, handler: sentNotice },
  { method: 'POST', path: /^\/machines\/([A-Za-z0-9-]{1,24})\/catalog$/, handler: editCatalog },
  { method: 'GET', path: /^\/sales$/, handler: salesPage },
  { method: 'GET', path: /^\/sales\.csv$/, handler: salesCsv },
  { method: 'GET', path: /^\/sales\/([A-Za-z0-9-]{1,24})\/([A-Za-z0-9-]{1,50})\/refund$/, handler: refundPage },
  { method: 'POST', path: /^\/sales\/([A-Za-z0-9-]{1,24})\/([A-Za-z0-9-]{1,50})\/refund$/, handler: refundPost },
  { method: 'GET', path: /^\/stock$/, handler: (ctx) => stockPage(ctx) },
  { method: 'POST', path: /^\/stock\/level$/, handler: setLowLevel },
  { method: 'POST', path: /^\/stock\/settings$/, handler: setStockSettings },
  { method: 'GET', path: /^\/alerts$/, handler: (ctx) => alertsPage(ctx) },
  { method: 'POST', path: /^\/alerts\/settings$/, handler: setAlertSettings },
];

export async function startOperatorHttp(options: OperatorHttpOptions): Promise<OperatorHttp> {
  const { db } = options;
  const log = options.log ?? (() => {});
  const secure = !!options.tls;
  const files = new Map(Object.entries(STATIC).map(([path, { file, type }]) => [path, { type, body: readFileSync(join(STATIC_DIR, file)) }]));

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fleet.invalid');
    const method = request.method ?? 'GET';
    const path = url.pathname;
    if (method !== 'GET' && method !== 'POST' && method !== 'HEAD') return sendText(response, 405, 'Method not allowed');
    const asset = files.get(path);
    if (asset && method !== 'POST') return send(response, 200, asset.type, asset.body);
    if (path === '/favicon.ico') return sendText(response, 404, 'Not found');

    if (options.webhooks && path === options.webhooks.path) return options.webhooks.receive(request, response);
    const form = method === 'POST' ? await readForm(request) : new URLSearchParams();

    if (path === '/login') {
      if (method === 'POST') {
        if (!loginTokenMatches(request, form.get('csrf'))) return sendText(response, 403, 'Forbidden: the form is stale, load the page again');
        const attempt = await attemptLogin(db, form);
        if (!attempt.ok) {
          const token = newLoginToken();
          return sendHtml(response, 401, loginPage(token, attempt.message), { 'set-cookie': cookie(LOGIN_COOKIE, token, secure, 3600) });
        }
        const session = await createSession(db, attempt.operatorId);
        log(`page: operator ${attempt.operatorId} logged in`);
        return redirect(response, '/machines', {
          'set-cookie': [cookie(SESSION_COOKIE, session.cookieValue, secure, SESSION_HOURS * 3600), cookie(LOGIN_COOKIE, '', secure, 0)],
        });
      }
      // The same token while its cookie lasts: a second tab (or a stray request) does not make the first form stale.
      const token = currentLoginToken(request) ?? newLoginToken();
      return sendHtml(response, 200, loginPage(token), { 'set-cookie': cookie(LOGIN_COOKIE, token, secure, 3600) });
    }

    const session = await sessionOf(db, request);
    if (!session) {
      if (method === 'POST') return sendText(response, 403, 'Forbidden: not logged in');
      return redirect(response, '/login');
    }
    // Every POST, whatever it is for, carries the session's token.
    if (method === 'POST' && !csrfMatches(session, form.get('csrf'))) {
      log(`page: refused a POST to ${path.slice(0, 80)} without the right CSRF token`);
      return sendText(response, 403, 'Forbidden: wrong or missing form token');
    }
    if (path === '/logout' && method === 'POST') {
      await endSession(db, session);
      return redirect(response, '/login', { 'set-cookie': cookie(SESSION_COOKIE, '', secure, 0) });
    }
    if (path === '/' && method !== 'POST') return redirect(response, '/machines');

    const wanted = method === 'POST' ? 'POST' : 'GET';
    for (const route of ROUTES) {
      const match = route.method === wanted ? route.path.exec(path) : null;
      if (!match) continue;
      const answer = await route.handler({ db, session, url, form, publisher: options.publisher, vipps: options.vipps, log }, ...match.slice(1));
      if (answer.kind === 'redirect') return redirect(response, answer.location);
      if (answer.kind === 'file') return send(response, 200, answer.type, answer.body, { 'content-disposition': `attachment; filename="${answer.name}"` });
      return sendHtml(response, answer.status ?? 200, answer.body);
    }
    sendHtml(response, 404, page('Not found', html`<p>No page here.</p>`, session));
  }

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    serve(request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLarge) {
        if (!response.headersSent) sendText(response, 413, 'Too large');
        request.destroy();
        return;
      }
      log(`page: ${request.method} ${(request.url ?? '').slice(0, 80)} failed: ${(error as Error).message}`);
      if (!response.headersSent) sendText(response, 500, 'Something went wrong; the server log says what.');
      else response.destroy();
    });
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  return {
    url: `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
