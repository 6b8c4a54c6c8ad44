// The HttpTransport port on Node's http/https stack: kept-alive connections (one by default, as on
// the device), a deadline over the whole exchange, and a body limit enforced while streaming (or
// from Content-Length before reading anything). For HTTPS it can trust an extra root certificate,
// the emulator's, on top of Node's own list.
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { TransportError, type TransportErrorKind } from 'epayment/errors';
import type { HttpRequest, HttpResponse, HttpTransport } from 'epayment/http-transport';

export interface NodeTransportOptions {
  /** Extra trusted root certificate(s), PEM. */
  ca?: string | string[];
  /** Default true. */
  keepAlive?: boolean;
  /** Connections per host; default 1: requests queue on the one kept-alive connection. */
  maxSockets?: number;
}

export interface TransportStats {
  requests: number;
  /** New connections opened (not reused ones). */
  connections: number;
}

function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

export class NodeHttpTransport implements HttpTransport {
  readonly stats: TransportStats = { requests: 0, connections: 0 };
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  // Queued requests that get a kept-alive socket are not flagged reusedSocket: count sockets.
  private readonly seen = new WeakSet<object>();

  constructor(options: NodeTransportOptions = {}) {
    const keepAlive = options.keepAlive ?? true;
    const maxSockets = options.maxSockets ?? 1;
    const extra = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
    this.httpAgent = new http.Agent({ keepAlive, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive, maxSockets, ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}) });
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        reject(new TransportError('network', `${request.method}: not a URL`));
        return;
      }
      const where = `${request.method} ${url.host}${url.pathname}`;
      const secure = url.protocol === 'https:';
      const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
      const headers: Record<string, string> = { ...request.headers };
      if (request.method !== 'GET') headers['Content-Length'] = String(body?.length ?? 0);
      const max = request.maxResponseBytes;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let outgoing: http.ClientRequest | undefined;

      const fail = (kind: TransportErrorKind, why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // The connection may hold unread or half-sent bytes: never reuse it.
        outgoing?.destroy();
        reject(new TransportError(kind, `${where}: ${why}`));
      };

      const onResponse = (incoming: http.IncomingMessage) => {
        const declared = Number(incoming.headers['content-length']);
        if (Number.isFinite(declared) && declared > max) {
          fail('too-large', `answer of ${declared} bytes is over the ${max}-byte limit`);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > max) fail('too-large', `answer is over the ${max}-byte limit`);
          else chunks.push(chunk);
        });
        incoming.on('end', () => {
          if (settled) return;
          if (!incoming.complete) {
            fail('network', 'connection closed in the middle of the answer');
            return;
          }
          settled = true;
          clearTimeout(timer);
          resolve({ status: incoming.statusCode ?? 0, headers: flatten(incoming.headers), body: Buffer.concat(chunks).toString('utf8') });
        });
        incoming.on('error', () => fail('network', 'connection broke in the middle of the answer'));
        incoming.on('close', () => {
          if (!incoming.complete) fail('network', 'connection closed in the middle of the answer');
        });
      };

      try {
        outgoing = (secure ? https : http).request(url, { method: request.method, headers, agent: secure ? this.httpsAgent : this.httpAgent }, onResponse);
      } catch {
        // Node refuses some header values before sending anything.
        reject(new TransportError('network', `${where}: request refused by the HTTP stack`));
        return;
      }
      const sent = outgoing;
      sent.on('socket', (socket) => {
        if (this.seen.has(socket)) return;
        this.seen.add(socket);
        this.stats.connections++;
      });
      sent.on('error', (error: NodeJS.ErrnoException) => fail('network', error.code ?? 'connection failed'));
      timer = setTimeout(() => fail('timeout', `no complete answer within ${request.timeoutMs} ms`), request.timeoutMs);
      this.stats.requests++;
      sent.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
