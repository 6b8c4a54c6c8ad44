// The HttpTransport port on the ECMA-419 HTTP client (`embedded:network/http/client`, the SDK's
// example client, over its TLS socket). One client per origin: its requests queue on one kept-alive
// connection, so a sale costs one TLS handshake. The client has no timeout and no abort, and once
// its connection fails or the server closes it, later requests are never sent. So this transport
// keeps a timer per request, closes the client on a timeout or a refused answer (rejecting every
// request on it), and makes a new client on the next request after any error or close. When the
// network goes down (networkDown(), from main.ts) every connection is closed: a kept-alive one
// would otherwise outlive a Wi-Fi drop and cost the next request a full timeout.
import HTTPClient from 'embedded:network/http/client';
import Timer from 'timer';
import { TransportError, type TransportErrorKind } from 'epayment/errors';
import type { HttpRequest, HttpResponse, HttpTransport } from 'epayment/http-transport';

/** The headers the core reads; the client drops every other one as it parses. */
const KEPT_HEADERS = ['content-type', 'content-length', 'retry-after'];

// The client as this file uses it: the SDK's and npm's typings disagree on several of these.
interface ClientRequest {
  read(into: Uint8Array): number | undefined;
  write(data: Uint8Array): number;
}
interface ClientRequestOptions {
  method: string;
  path: string;
  headers: Map<string, string>;
  headersMask: string[];
  onHeaders(this: ClientRequest, status: number, headers: Map<string, string>): void;
  onReadable(this: ClientRequest, count: number): void;
  onWritable(this: ClientRequest, count: number): void;
  onDone(this: ClientRequest, error: Error | null): void;
}
interface Client {
  request(options: ClientRequestOptions): ClientRequest;
  close(): void;
}
const HttpClient = HTTPClient as unknown as new (options: Record<string, unknown>) => Client;

/** What `examples/io/tcp/httpsclient/config` puts on `device.network`: DNS and socket settings. */
interface NetworkProvider {
  dns: Record<string, unknown>;
  socket: Record<string, unknown> & { secure?: Record<string, unknown> };
}

export interface ModdableTransportOptions {
  /** A root certificate (DER, e.g. a Resource) to trust besides the CA store the manifest bundles. */
  certificate?: ArrayBuffer | HostBuffer;
  /** DNS servers, asked at each new connection (DHCP's, from main.ts); undefined: the provider's (1.1.1.1 in the SDK's config). */
  dnsServers?: () => readonly string[] | undefined;
}

export interface ModdableTransportStats {
  requests: number;
  /** Clients made, i.e. connections (and TLS handshakes for https) begun. */
  connections: number;
  /** Pieces of request bodies written, one per onWritable call. */
  bodyWrites: number;
}

interface Origin {
  secure: boolean;
  host: string;
  port: number;
}

/** One client and the requests queued on its connection, oldest first. */
interface Connection {
  client: Client;
  exchanges: Exchange[];
  dead: boolean;
}

interface Exchange {
  where: string;
  connection: Connection;
  timer: Timer | undefined;
  settled: boolean;
  resolve(response: HttpResponse): void;
  reject(error: TransportError): void;
}

const URL_PATTERN = (): RegExp => /^(https?):\/\/([^/:?#]+)(?::(\d+))?([/?][^#]*)?/;

function parseUrl(url: string): { origin: Origin; path: string } | undefined {
  const match = URL_PATTERN().exec(url);
  if (!match) return undefined;
  const secure = match[1] === 'https';
  const port = match[3] === undefined ? (secure ? 443 : 80) : Number(match[3]);
  const rest = match[4] ?? '/';
  return { origin: { secure, host: match[2]!, port }, path: rest.startsWith('/') ? rest : `/${rest}` };
}

function networkProvider(secure: boolean): NetworkProvider {
  const device = (globalThis as unknown as { device?: { network?: Record<string, NetworkProvider | undefined> } }).device;
  const provider = device?.network?.[secure ? 'https' : 'http'];
  // A missing provider is a build mistake: the manifest lacks the httpsclient fragment.
  if (!provider) throw new Error(`device.network.${secure ? 'https' : 'http'} missing: include manifest_httpsclient.json`);
  return provider;
}

/** UTF-8 bytes to a string; bytes that are not UTF-8 become '?' rather than failing the answer. */
function decodeUtf8(bytes: Uint8Array): string {
  const buffer = bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  try {
    return String.fromArrayBuffer(buffer);
  } catch {
    const ascii = new Uint8Array(bytes);
    for (let i = 0; i < ascii.length; i++) if (ascii[i]! > 0x7e) ascii[i] = 0x3f;
    return String.fromArrayBuffer(ascii.buffer);
  }
}

export class ModdableHttpTransport implements HttpTransport {
  readonly stats: ModdableTransportStats = { requests: 0, connections: 0, bodyWrites: 0 };
  readonly #options: ModdableTransportOptions;
  readonly #connections = new Map<string, Connection>();

  constructor(options: ModdableTransportOptions = {}) {
    this.#options = options;
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      const target = parseUrl(request.url);
      if (!target) {
        reject(new TransportError('network', `${request.method}: not an http(s) URL`));
        return;
      }
      const where = `${request.method} ${target.origin.host}${target.path.split('?')[0]}`;
      let connection: Connection;
      try {
        connection = this.#connectionTo(target.origin);
      } catch {
        reject(new TransportError('network', `${where}: no connection could be made`));
        return;
      }
      const exchange: Exchange = { where, connection, timer: undefined, settled: false, resolve, reject };
      connection.exchanges.push(exchange);
      exchange.timer = Timer.set(() => {
        exchange.timer = undefined;
        this.#fail(exchange, 'timeout', `no complete answer within ${request.timeoutMs} ms`);
      }, request.timeoutMs);
      this.stats.requests++;
      this.#send(exchange, target.path, request);
    });
  }

  close(): void {
    for (const connection of [...this.#connections.values()]) this.#drop(connection, 'transport closed');
  }

  /**
   * The network went down (Wi-Fi lost its address). A kept-alive TLS connection does not notice:
   * its socket stays open, and the first request after the network is back would be written into
   * it and wait its full timeout. So every connection is closed now (requests on them are rejected
   * with 'network') and the next request makes a new one. The transport stays usable.
   */
  networkDown(): void {
    for (const connection of [...this.#connections.values()]) this.#drop(connection, 'the network went down');
  }

  #connectionTo(origin: Origin): Connection {
    const key = `${origin.secure ? 's' : ''}${origin.host}:${origin.port}`;
    const existing = this.#connections.get(key);
    if (existing && !existing.dead) return existing;
    const provider = networkProvider(origin.secure);
    const { certificate, dnsServers } = this.#options;
    const socket = origin.secure
      // Certificate checking is never turned off, whatever the provider's settings: verify is forced.
      ? { ...provider.socket, secure: { ...provider.socket.secure, ...(certificate ? { certificate } : {}), verify: true } }
      : provider.socket;
    const servers = dnsServers?.();
    const dns = servers ? { ...provider.dns, servers } : provider.dns;
    const connection: Connection = { client: undefined as unknown as Client, exchanges: [], dead: false };
    connection.client = new HttpClient({
      ...provider,
      dns,
      socket,
      host: origin.host,
      port: origin.port,
      // After the server closes the connection or the socket fails, the client is finished: its
      // requests were told through onDone; forget it so that the next request makes a new one.
      onError: () => {
        connection.dead = true;
        if (this.#connections.get(key) === connection) this.#connections.delete(key);
      },
    });
    this.#connections.set(key, connection);
    this.stats.connections++;
    return connection;
  }

  #send(exchange: Exchange, path: string, request: HttpRequest): void {
    const headers = new Map<string, string>();
    for (const name of Object.keys(request.headers)) headers.set(name, request.headers[name]!);
    const body = request.body === undefined || request.body === '' ? undefined : new Uint8Array(ArrayBuffer.fromString(request.body));
    // The client sends a body only with a content-length; the token POST has an empty one: 0.
    if (request.method !== 'GET') headers.set('content-length', String(body?.byteLength ?? 0));
    const max = request.maxResponseBytes;
    let sent = 0;
    let status = 0;
    let kept: Record<string, string> = {};
    let received: Uint8Array | undefined;
    let length = 0;
    const transport = this;
    const live = () => !exchange.settled;

    const options: ClientRequestOptions = {
      method: request.method,
      path,
      headers,
      headersMask: KEPT_HEADERS,
      onWritable(count) {
        if (!live() || !body || sent >= body.byteLength) return;
        // One piece of at most `count` bytes per call: the client throws "would block" on more,
        // and over TLS a second piece in the same turn can overflow the socket with record overhead.
        const piece = Math.min(count, body.byteLength - sent);
        try {
          this.write(body.subarray(sent, sent + piece));
        } catch {
          transport.#fail(exchange, 'network', 'the request body could not be written');
          return;
        }
        sent += piece;
        transport.stats.bodyWrites++;
      },
      onHeaders(answerStatus, answerHeaders) {
        if (!live()) return;
        status = answerStatus;
        kept = {};
        answerHeaders.forEach((value, name) => { kept[name] = value; });
        const declared = kept['content-length'] === undefined ? NaN : Number(kept['content-length']);
        if (declared > max) {
          transport.#fail(exchange, 'too-large', `answer of ${declared} bytes is over the ${max}-byte limit`);
          return;
        }
        // One buffer for the whole body: exact when the length is declared, grown when chunked.
        received = new Uint8Array(Number.isFinite(declared) ? declared : Math.min(max, 1024));
      },
      onReadable(count) {
        if (!live() || !received) return;
        if (length + count > max) {
          transport.#fail(exchange, 'too-large', `answer is over the ${max}-byte limit`);
          return;
        }
        if (length + count > received.byteLength) {
          const grown = new Uint8Array(Math.min(max, Math.max(received.byteLength * 2, length + count)));
          grown.set(received.subarray(0, length));
          received = grown;
        }
        try {
          this.read(received.subarray(length, length + count));
        } catch {
          transport.#fail(exchange, 'network', 'the answer could not be read');
          return;
        }
        length += count;
      },
      onDone(error) {
        if (!live()) return;
        if (error || !received && status === 0) {
          transport.#fail(exchange, 'network', status === 0 ? 'connection failed or closed before the answer' : 'connection closed in the middle of the answer');
          return;
        }
        const text = received ? decodeUtf8(length === received.byteLength ? received : received.subarray(0, length)) : '';
        received = undefined;
        transport.#settle(exchange);
        exchange.resolve({ status, headers: kept, body: text });
      },
    };
    try {
      exchange.connection.client.request(options);
    } catch {
      this.#fail(exchange, 'network', 'request refused by the HTTP client');
    }
  }

  /** Takes the exchange off its connection and stops its timer; the caller resolves or rejects. */
  #settle(exchange: Exchange): void {
    exchange.settled = true;
    if (exchange.timer) Timer.clear(exchange.timer);
    exchange.timer = undefined;
    const queue = exchange.connection.exchanges;
    const at = queue.indexOf(exchange);
    if (at >= 0) queue.splice(at, 1);
  }

  /**
   * A request failed. Whatever its connection still holds (unread bytes, a half-sent request,
   * requests queued behind it) is lost: close it and reject everything on it.
   */
  #fail(exchange: Exchange, kind: TransportErrorKind, why: string): void {
    if (exchange.settled) return;
    this.#settle(exchange);
    exchange.reject(new TransportError(kind, `${exchange.where}: ${why}`));
    this.#drop(exchange.connection, 'connection closed after an earlier request failed');
  }

  #drop(connection: Connection, why: string): void {
    connection.dead = true;
    for (const [key, value] of this.#connections) if (value === connection) this.#connections.delete(key);
    try {
      connection.client.close();
    } catch {
      // Closing a client whose socket already failed may throw; it is gone either way.
    }
    for (const other of connection.exchanges.splice(0)) {
      if (other.settled) continue;
      this.#settle(other);
      other.reject(new TransportError('network', `${other.where}: ${why}`));
    }
  }
}
