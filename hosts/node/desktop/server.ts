// The page's server: the page itself (plain HTML, CSS and a little JavaScript from page/), the
// screen as PNG, the event stream, and the automation API the page and the soak drive the machine
// through. See the README's "Desktop machine" section for the routes.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { MachineConfig } from 'app/config/machine-config';
import { SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { encodePng } from '../png';
import { desktopState, type EmulatorInfo } from './desktop-state';
import { PowerOff, type MachineSupervisor } from './machine-supervisor';

const PAGE_DIR = new URL('./page/', import.meta.url);
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
  '/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
};
const MAX_BODY = 10_000;
const MAX_HOLD_MS = 60_000;

/** The built-in emulator acting as the customer's app, for the page's Approve and Reject. */
export interface Customer {
  approve(reference: string): void;
  reject(reference: string): void;
}

export interface ServerOptions {
  supervisor: MachineSupervisor;
  config: MachineConfig | undefined;
  emulator?: EmulatorInfo;
  customer?: Customer;
  host?: string;
  port?: number;
  /** Power-off time of a power cycle when the request does not say. */
  offMs?: number;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface PageServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startPageServer(options: ServerOptions): Promise<PageServer> {
  const { supervisor, config } = options;
  const pages = Object.fromEntries(Object.entries(STATIC).map(([path, { file, type }]) => [path, { body: readFileSync(fileURLToPath(new URL(file, PAGE_DIR))), type }]));
  const streams = new Set<http.ServerResponse>();
  let png: { version: number; bytes: Buffer } | undefined;

  const state = () => desktopState(supervisor, config, options.emulator);
  const screenPng = (): Buffer => {
    if (png?.version !== supervisor.frameVersion) png = { version: supervisor.frameVersion, bytes: encodePng(supervisor.framebuffer) };
    return png.bytes;
  };

  // Server-sent events: every change is pushed; several in one turn go out as one.
  let stateQueued = false;
  let frameQueued = false;
  const broadcast = (event: string, data: unknown) => {
    const text = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const stream of streams) stream.write(text);
  };
  const onState = () => {
    if (stateQueued) return;
    stateQueued = true;
    setImmediate(() => {
      stateQueued = false;
      if (streams.size > 0) broadcast('state', state());
    });
  };
  const onFrame = () => {
    if (frameQueued) return;
    frameQueued = true;
    setImmediate(() => {
      frameQueued = false;
      broadcast('frame', { version: supervisor.frameVersion });
    });
  };
  const onLog = (line: unknown) => broadcast('log', line);
  supervisor.on('state', onState);
  supervisor.on('frame', onFrame);
  supervisor.on('log', onLog);

  async function route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://desktop');
    const method = request.method ?? 'GET';
    const path = url.pathname;
    const page = pages[path];
    if (method === 'GET' && page) return send(response, 200, page.type, page.body);
    if (method === 'GET' && path === '/favicon.ico') return send(response, 204, 'text/plain', '');
    if (method === 'GET' && path === '/screen.png') return send(response, 200, 'image/png', screenPng());
    if (method === 'GET' && path === '/state') return json(response, 200, state());
    if (method === 'GET' && path === '/events') return events(response);
    if (method === 'GET' && path === '/sales') return json(response, 200, await supervisor.sales());
    if (method === 'GET' && path === '/pulses') return json(response, 200, supervisor.pulses);
    if (method !== 'POST') throw new HttpError(path in pages || ['/screen.png', '/state', '/events', '/sales', '/pulses'].includes(path) ? 405 : 404, `no route ${method} ${path}`);
    const body = await readJson(request);
    switch (path) {
      case '/touch': {
        const x = body.x;
        const y = body.y;
        const holdMs = body.holdMs ?? 0;
        if (!isInt(x, 0, SCREEN_WIDTH - 1) || !isInt(y, 0, SCREEN_HEIGHT - 1)) throw new HttpError(400, `x must be 0-${SCREEN_WIDTH - 1} and y 0-${SCREEN_HEIGHT - 1}`);
        if (!isInt(holdMs, 0, MAX_HOLD_MS)) throw new HttpError(400, `holdMs must be 0-${MAX_HOLD_MS}`);
        return json(response, 200, { action: await supervisor.touch(x, y, holdMs) });
      }
      case '/power-cycle': {
        const offMs = body.offMs ?? options.offMs ?? 500;
        if (!isInt(offMs, 0, 60_000)) throw new HttpError(400, 'offMs must be 0-60000');
        supervisor.powerCycle(offMs);
        return json(response, 200, { power: supervisor.power, powerCuts: supervisor.powerCuts });
      }
      case '/network':
        if (typeof body.up !== 'boolean') throw new HttpError(400, 'up must be true or false');
        supervisor.setNetwork(body.up);
        return json(response, 200, { network: supervisor.network });
      case '/sensor': {
        const pin = typeof body.product === 'string' ? supervisor.sensorPinOf(body.product) : undefined;
        if (pin === undefined) throw new HttpError(400, 'product must be the id of a product with a drop sensor');
        if (body.drop === undefined && body.stuck === undefined) throw new HttpError(400, 'give drop or stuck (true or false)');
        if (body.drop !== undefined && typeof body.drop !== 'boolean') throw new HttpError(400, 'drop must be true or false');
        if (body.stuck !== undefined && typeof body.stuck !== 'boolean') throw new HttpError(400, 'stuck must be true or false');
        const drop = typeof body.drop === 'boolean' ? body.drop : supervisor.sensors.get(pin) ?? true;
        const stuck = typeof body.stuck === 'boolean' ? body.stuck : supervisor.stuckSensors.has(pin);
        supervisor.setSensor(pin, drop, stuck);
        return json(response, 200, { product: body.product, drop, stuck });
      }
      case '/customer': {
        const customer = options.customer;
        if (!customer) throw new HttpError(404, 'no built-in emulator: pay with the app');
        if (body.action !== 'approve' && body.action !== 'reject') throw new HttpError(400, 'action must be approve or reject');
        const reference = supervisor.state?.payment?.reference;
        if (!reference) throw new HttpError(409, 'no payment on screen');
        try {
          customer[body.action](reference);
        } catch (error) {
          throw new HttpError(409, (error as Error).message);
        }
        return json(response, 200, { reference, action: body.action });
      }
      default:
        throw new HttpError(404, `no route ${method} ${path}`);
    }
  }

  function events(response: http.ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.write(`retry: 1000\nevent: state\ndata: ${JSON.stringify(state())}\n\nevent: frame\ndata: ${JSON.stringify({ version: supervisor.frameVersion })}\n\n`);
    streams.add(response);
    response.on('close', () => streams.delete(response));
  }

  const server = http.createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) return response.end();
      if (error instanceof PowerOff) return json(response, 503, { error: error.message });
      if (error instanceof HttpError) return json(response, error.status, { error: error.message });
      json(response, 500, { error: (error as Error).message });
    });
  });
  // The event streams stay open; keep-alive sockets must not hold up close().
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${urlHost(options.host ?? '127.0.0.1')}:${port}/`,
    async close() {
      supervisor.off('state', onState);
      supervisor.off('frame', onFrame);
      supervisor.off('log', onLog);
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function send(response: http.ServerResponse, status: number, type: string, body: Buffer | string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

function json(response: http.ServerResponse, status: number, value: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function readJson(request: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'the body is too large'));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        const value = JSON.parse(text) as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value)) reject(new HttpError(400, 'the body must be a JSON object'));
        else resolve(value as Record<string, unknown>);
      } catch {
        reject(new HttpError(400, 'the body must be JSON'));
      }
    });
    request.on('error', reject);
  });
}
