// The Node transport on its own, against small local servers that misbehave in exact ways.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TransportError } from 'epayment/errors';
import type { HttpRequest } from 'epayment/http-transport';
import { NodeHttpTransport } from '../../../hosts/node/http-transport';
import { failure } from './support';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = http.createServer(handler);
  server.on('connection', () => { connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const get = (url: string, more: Partial<HttpRequest> = {}): HttpRequest => ({ method: 'GET', url, headers: {}, timeoutMs: 2_000, maxResponseBytes: 1_000, ...more });

describe('Node HTTP transport', () => {
  let transport: NodeHttpTransport;
  beforeEach(() => {
    transport = new NodeHttpTransport();
  });
  afterEach(() => {
    transport.close();
  });

  it('keeps one connection alive across requests, also when they overlap', async () => {
    const server = await serve((_req, res) => res.end('{"ok":true}'));
    try {
      for (let i = 0; i < 3; i++) assert.equal((await transport.request(get(`${server.url}/a`))).body, '{"ok":true}');
      await Promise.all([1, 2, 3].map(() => transport.request(get(`${server.url}/b`))));
      assert.equal(server.connections(), 1);
      assert.deepEqual(transport.stats, { requests: 6, connections: 1 });
    } finally {
      await server.close();
    }
  });

  it('sends method, headers and body with its length; gives status, lower-case headers and UTF-8 text', async () => {
    let seen: { method?: string; length?: string; type?: string; body: string } = { body: '' };
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        seen = { method: req.method, length: req.headers['content-length'], type: req.headers['content-type'], body };
        res.writeHead(201, { 'X-Trace': 'abc', 'Content-Type': 'application/json' });
        const bytes = Buffer.from('{"name":"blåbær"}');
        res.write(bytes.subarray(0, 12)); // splits the two-byte "å"
        res.end(bytes.subarray(12));
      });
    });
    try {
      const response = await transport.request({ ...get(`${server.url}/p`), method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"v":"ø"}' });
      assert.deepEqual(seen, { method: 'POST', length: '10', type: 'application/json', body: '{"v":"ø"}' });
      assert.equal(response.status, 201);
      assert.equal(response.headers['x-trace'], 'abc');
      assert.equal(response.body, '{"name":"blåbær"}');
    } finally {
      await server.close();
    }
  });

  it('refuses a body whose Content-Length is over the limit without reading it', async () => {
    let written = 0;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(10_000_000) });
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write('x'.repeat(1_000));
        written += 1_000;
      }, 5);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const started = Date.now();
      const error = await failure(transport.request(get(server.url)));
      assert.ok(error instanceof TransportError && error.kind === 'too-large', String(error));
      assert.match(error.message, /10000000 bytes/);
      assert.ok(Date.now() - started < 500);
      assert.ok(written < 100_000, `${written} bytes written`);
    } finally {
      await server.close();
    }
  });

  it('stops reading a chunked body as soon as it passes the limit', async () => {
    let closedEarly = false;
    const server = await serve((_req, res) => {
      res.writeHead(200);
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return;
        res.write('y'.repeat(300));
        sent += 300;
        if (sent >= 100_000) { clearInterval(timer); res.end(); }
      }, 2);
      res.on('close', () => { clearInterval(timer); closedEarly = sent < 100_000; });
    });
    try {
      const error = await failure(transport.request(get(server.url)));
      assert.ok(error instanceof TransportError && error.kind === 'too-large', String(error));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(closedEarly, 'the connection was dropped mid-body');
    } finally {
      await server.close();
    }
  });

  it('times out a server that never answers, and one that answers too slowly', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/slow') {
        res.writeHead(200);
        const timer = setInterval(() => res.write('z'), 50);
        res.on('close', () => clearInterval(timer));
      }
    });
    try {
      for (const path of ['/silent', '/slow']) {
        const started = Date.now();
        const error = await failure(transport.request(get(`${server.url}${path}`, { timeoutMs: 300, maxResponseBytes: 100_000 })));
        assert.ok(error instanceof TransportError && error.kind === 'timeout', String(error));
        assert.ok(Date.now() - started < 1_000);
      }
    } finally {
      await server.close();
    }
  });

  it('a connection closed mid-body or refused is a network error', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"state":"AUTH');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const url = server.url;
    try {
      const error = await failure(transport.request(get(url)));
      assert.ok(error instanceof TransportError && error.kind === 'network', String(error));
    } finally {
      await server.close();
    }
    const refused = await failure(transport.request(get(url)));
    assert.ok(refused instanceof TransportError && refused.kind === 'network' && /ECONNREFUSED/.test(refused.message), String(refused));
  });

  it('a header value Node refuses is a network error, not a crash', async () => {
    const error = await failure(transport.request(get('http://127.0.0.1:9/', { headers: { 'X-Bad': 'a\r\nb' } })));
    assert.ok(error instanceof TransportError && error.kind === 'network');
  });
});
