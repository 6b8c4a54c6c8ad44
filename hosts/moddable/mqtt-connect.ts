// The fleet link's MQTT connection on the device and in the simulator: the SDK's `mqtt` Client
// (modules/network/mqtt, QoS 0 only), no reconnection of its own (the link decides when).
//
// The client takes a `Socket` class with the SDK's original socket API (callback(state, value),
// read(ArrayBuffer), write(buffer), close()). Its own secure socket (`securesocket`) needs the TLS
// session module `ssl/session` in its original form, and this build maps that name to the ECMA-419
// session (session_419) that the HTTPS transport's TLS socket uses: one of them only. So the
// client gets LegacySocket here, the original API over the same ECMA-419 sockets the transport
// uses (device.network.http/https from the httpsclient fragment): TCP for mqtt://, the TLS socket
// for mqtts://, with the same trust (the bundled CA store, plus the emulator's root in simulator
// builds) and certificate checking forced on.
import Client from 'mqtt';
import Timer from 'timer';
import type { MqttConnect } from 'ports/mqtt';

/** The CONNACK must come within this long, or the connection is given up (the client has no timeout). */
const CONNECT_TIMEOUT_MS = 15_000;
/** MQTT keepalive: the client pings at 3/4 of it and gives up after 1.5x without a byte from the broker. */
const KEEPALIVE_MS = 60_000;
/** Per write over TLS: the record's header, IV, MAC and padding. */
const TLS_RECORD_OVERHEAD = 128;
/** Largest piece written at once (a catalog is up to 8 KB). */
const MAX_PIECE = 2048;

export interface ModdableMqttOptions {
  /** A root certificate (DER) to trust besides the bundled CA store (the emulator's, in the simulator). */
  certificate?: ArrayBuffer | HostBuffer;
  /** DNS servers (DHCP's); undefined: the provider's. */
  dnsServers?: () => readonly string[] | undefined;
}

interface Io419 {
  read(): ArrayBuffer | undefined;
  write(data: Uint8Array): unknown;
  close(): void;
}
type Io419Class = new (options: Record<string, unknown>) => Io419;
interface SocketProvider { io: Io419Class; TCP?: unknown; secure?: Record<string, unknown> }
interface NetworkProvider {
  dns: Record<string, unknown> & { io: new (options: Record<string, unknown>) => { resolve(options: Record<string, unknown>): void; close?(): void } };
  socket: SocketProvider;
}

function provider(secure: boolean): NetworkProvider {
  const device = (globalThis as unknown as { device?: { network?: Record<string, NetworkProvider | undefined> } }).device;
  const found = device?.network?.[secure ? 'https' : 'http'];
  if (!found) throw new Error(`device.network.${secure ? 'https' : 'http'} missing: include manifest_httpsclient.json`);
  return found;
}

function isIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((part) => part !== '' && part.length <= 3 && String(Number(part)) === part && Number(part) <= 255);
}

/** mqtt://host[:port] or mqtts://host[:port]; undefined when it is neither. */
export function parseMqttUrl(url: string): { secure: boolean; host: string; port: number } | undefined {
  const match = /^(mqtts?):\/\/([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?\/?$/.exec(url);
  if (!match) return undefined;
  const secure = match[1] === 'mqtts';
  const port = match[3] === undefined ? (secure ? 8883 : 1883) : Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { secure, host: match[2]!, port };
}

type LegacyCallback = (state: number, value?: number) => void;
interface LegacySocketOptions { host: string; port: number; secure?: Record<string, unknown> }
type LegacySocketClass = new (options: LegacySocketOptions) => { callback: LegacyCallback | undefined };

/** The SDK's original socket API over an ECMA-419 socket, as the mqtt Client drives it. */
function legacySocketClass(options: ModdableMqttOptions): LegacySocketClass {
  return class LegacySocket {
    callback: LegacyCallback | undefined;
    #io: Io419 | undefined;
    #queue: Uint8Array[] = [];
    #writable = 0;
    #overhead: number;
    #connected = false;
    #closed = false;
    #resolver: { close?(): void } | undefined;

    constructor(dictionary: LegacySocketOptions) {
      const tls = dictionary.secure !== undefined;
      this.#overhead = tls ? TLS_RECORD_OVERHEAD : 0;
      const network = provider(tls);
      const { certificate } = options;
      const socket: SocketProvider = tls
        // Certificate checking is never turned off; no ALPN (the provider's is http/1.1).
        ? { io: network.socket.io, TCP: network.socket.TCP, secure: { ...(certificate ? { certificate } : {}), verify: true } }
        : { io: network.socket.io };
      const open = (address: string) => {
        if (this.#closed) return;
        try {
          this.#io = new socket.io({
            ...socket,
            address,
            host: dictionary.host,
            port: dictionary.port,
            onReadable: () => this.#readable(),
            onWritable: (count: number) => this.#onWritable(count),
            onError: () => this.#error(),
          });
        } catch {
          this.#error();
        }
      };
      if (isIpv4(dictionary.host)) {
        Timer.set(() => open(dictionary.host), 0);
        return;
      }
      const servers = options.dnsServers?.();
      const dns = servers ? { ...network.dns, servers } : network.dns;
      Timer.set(() => {
        if (this.#closed) return;
        try {
          const resolver = new network.dns.io(dns);
          this.#resolver = resolver;
          resolver.resolve({
            host: dictionary.host,
            onResolved: (_host: string, address: string) => { this.#resolver = undefined; open(address); },
            onError: () => { this.#resolver = undefined; this.#error(); },
          });
        } catch {
          this.#error();
        }
      }, 0);
    }

    read(): ArrayBuffer {
      return this.#io?.read() ?? new ArrayBuffer(0);
    }

    write(buffer: ArrayBuffer): void {
      if (this.#closed) throw new Error('socket closed');
      this.#queue.push(new Uint8Array(buffer));
      if (this.#connected) this.#flush();
    }

    close(): void {
      // What is queued and fits goes first (the client's DISCONNECT on a clean close).
      if (!this.#closed && this.#connected) this.#flush();
      this.#closed = true;
      this.#queue = [];
      const io = this.#io;
      this.#io = undefined;
      try { this.#resolver?.close?.(); } catch { /* gone */ }
      this.#resolver = undefined;
      if (io) io.close();
    }

    #onWritable(count: number): void {
      if (this.#closed) return;
      this.#writable = count;
      if (!this.#connected) {
        this.#connected = true;
        this.callback?.(1); // the client writes its CONNECT from here
      }
      this.#flush();
    }

    #readable(): void {
      if (!this.#closed) this.callback?.(2);
    }

    #flush(): void {
      const io = this.#io;
      if (!io) return;
      while (this.#queue.length > 0 && this.#writable > this.#overhead) {
        const head = this.#queue[0]!;
        const size = Math.min(head.byteLength, this.#writable - this.#overhead, MAX_PIECE);
        try {
          io.write(size === head.byteLength ? head : head.subarray(0, size));
        } catch {
          this.#error();
          return;
        }
        this.#writable -= size + this.#overhead;
        if (size === head.byteLength) this.#queue.shift();
        else this.#queue[0] = head.subarray(size);
      }
    }

    #error(): void {
      if (this.#closed) return;
      this.close();
      this.callback?.(-1);
    }
  };
}

interface SdkClient {
  onReady?: () => void;
  onMessage?: (topic: string, body: ArrayBuffer) => void;
  onClose?: () => void;
  subscribe(topic: string): void;
  publish(topic: string, data: string): void;
  close(immediate?: boolean): void;
}

export function moddableMqttConnect(options: ModdableMqttOptions = {}): MqttConnect {
  return (settings, handlers) => {
    const target = parseMqttUrl(settings.url);
    if (!target) throw new Error('fleet url must be mqtt://host[:port] or mqtts://host[:port]');
    let ready = false;
    let closed = false;
    let client: SdkClient | undefined;
    let timer: Timer | undefined = Timer.set(() => { timer = undefined; fail('no CONNACK in time'); }, CONNECT_TIMEOUT_MS);
    /** `clean`: a DISCONNECT first, so that the broker does not publish the will. */
    const finish = (clean = false) => {
      closed = true;
      ready = false;
      if (timer !== undefined) Timer.clear(timer);
      timer = undefined;
      const gone = client;
      client = undefined;
      try { gone?.close(!clean); } catch { /* gone */ }
    };
    function fail(why: string): void {
      if (closed) return;
      finish();
      handlers.onClose(why);
    }
    const SdkMqtt = Client as unknown as new (dictionary: Record<string, unknown>) => SdkClient;
    client = new SdkMqtt({
      host: target.host,
      port: target.port,
      id: settings.clientId,
      user: settings.username,
      password: settings.password,
      will: { topic: settings.will.topic, message: settings.will.payload },
      timeout: KEEPALIVE_MS,
      Socket: legacySocketClass(options),
      ...(target.secure ? { secure: {} } : {}),
    });
    client.onReady = () => {
      if (closed || !client) return;
      if (timer !== undefined) Timer.clear(timer);
      timer = undefined;
      try {
        for (const filter of settings.subscribe) client.subscribe(filter);
      } catch {
        fail('subscribe could not be sent');
        return;
      }
      ready = true;
      handlers.onConnect();
    };
    client.onMessage = (topic, body) => {
      if (closed) return;
      let text: string;
      try {
        text = String.fromArrayBuffer(body);
      } catch {
        return; // not UTF-8: not a message of the protocol
      }
      handlers.onMessage(topic, text);
    };
    client.onClose = () => fail(ready ? 'connection closed' : 'connection failed or refused');
    return {
      publish(topic, payload) {
        if (closed || !ready || !client) return false;
        try {
          client.publish(topic, payload);
          return true;
        } catch {
          fail('publish failed');
          return false;
        }
      },
      close() {
        if (closed) return;
        finish(ready);
      },
    };
  };
}
