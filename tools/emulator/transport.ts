// The listening side: an HTTP server and, beside it, an HTTPS server with the emulator's chain. It
// keeps connections alive like the real service and closes every socket on close. (Connections are
// counted by the request pipeline, which knows which of them carried API requests.)
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export type Scheme = 'http' | 'https';

/** `rawSocket` is the TCP socket under a TLS one, so that a fault can reset it (a TLS socket cannot). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, scheme: Scheme, rawSocket: Socket | undefined) => void;

export interface TransportOptions {
  host: string;
  port: number;
  httpsPort: number | false;
  tls?: { key: string; cert: string };
  handler: RequestHandler;
}

export interface Listening {
  httpPort: number;
  httpsPort?: number;
}

export class Transport {
  private readonly servers: Array<http.Server | https.Server> = [];
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: TransportOptions) {}

  async listen(): Promise<Listening> {
    const { host, port, httpsPort, tls, handler } = this.options;
    const httpServer = http.createServer((req, res) => handler(req, res, 'http', req.socket));
    this.watch(httpServer);
    const listening: Listening = { httpPort: await listenOn(httpServer, port, host) };
    if (httpsPort !== false) {
      if (!tls) throw new Error('HTTPS needs a certificate chain');
      const httpsServer = https.createServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, (req, res) => {
        // Node keeps the TCP socket under a server-side TLS socket as `_parent`.
        handler(req, res, 'https', (req.socket as Socket & { _parent?: Socket })._parent);
      });
      this.watch(httpsServer);
      listening.httpsPort = await listenOn(httpsServer, httpsPort, host);
    }
    return listening;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    for (const socket of this.sockets) socket.destroy();
  }

  private watch(server: http.Server | https.Server): void {
    this.servers.push(server);
    // Like the service: connections stay open between requests, so a client can reuse one.
    server.keepAliveTimeout = 30_000;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }
}

function listenOn(server: http.Server | https.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
