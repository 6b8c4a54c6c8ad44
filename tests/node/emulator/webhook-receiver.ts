// A webhook receiver for the tests: a real node:http server on loopback that records every request
// as it arrived and answers what the test tells it to (a status, or no answer at all).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A status to answer with, or 'hang' to never answer. */
export type Respond = (request: Received, index: number) => number | 'hang';

export class WebhookReceiver {
  readonly received: Received[] = [];
  respond: Respond = () => 200;
  private readonly server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      const request: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(parts).toString('utf8'), at: Date.now() };
      this.received.push(request);
      const answer = this.respond(request, this.received.length - 1);
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  private readonly sockets = new Set<Socket>();
  url = '';

  async start(path = '/hooks/vipps?source=emulator'): Promise<this> {
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  /** Connections still open to the receiver (the emulator's, since nothing else connects). */
  openConnections(): number {
    return this.sockets.size;
  }

  bodies(): Array<Record<string, any>> {
    return this.received.map((request) => JSON.parse(request.body) as Record<string, any>);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls until `condition` holds (or fails after `timeoutMs`). */
export async function eventually(condition: () => boolean, timeoutMs = 5000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
