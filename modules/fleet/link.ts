// The machine's link to the operator's fleet server (docs/fleet-protocol.md). It says hello on
// every connection, sends a heartbeat every minute, opens and closes alerts as the machine's state
// changes, and sends each sale event until the server acknowledges it. MQTT here is QoS 0, so the
// outbox is the journal's sales log itself: events after the acknowledged sequence number are sent
// (a few at a time), sent again when no ack came, and the acknowledged number is persisted now and
// then (losing it only means sending again; the server stores each sale once).
//
// The sale never waits on the link: it only reads what the machine offers, on the event loop, and
// a link that cannot connect tries again with backoff. Messages down are verified before use.
import type { Clock, TimerHandle } from 'ports/clock';
import type { Log } from 'ports/log';
import type { MqttConnect, MqttConnection } from 'ports/mqtt';
import { DownVerifier, keyFromHex } from 'fleet/signed-message';
import { downFilter, downKindOf, upTopic } from 'fleet/topics';

export interface FleetCredentials {
  /** mqtt://host:port or mqtts://host:port */
  url: string;
  password: string;
  /** 64 hex digits: the key that signs messages down. */
  key: string;
}

export interface SaleEventFields {
  seq: number;
  time: number;
  reference: string;
  product: string;
  amount: number;
  currency: string;
  outcome: string;
}

export interface HeartbeatFields {
  screen: string;
  inService: boolean;
  reason?: string;
  queue: number;
  pending: number;
  late: number;
  overdue: number;
  heap?: number;
  rssi?: number;
  /** Sale events that left the machine's log before the fleet acknowledged them. */
  lost?: number;
}

export type AlertKind = 'out-of-service' | 'capture-late' | 'capture-overdue' | 'journal';
export const ALERT_KINDS: readonly AlertKind[] = ['out-of-service', 'capture-late', 'capture-overdue', 'journal'];

/** What the machine shows the link; the app implements it over the controller and the journal. */
export interface FleetSource {
  hello(): { fw: string; cfg: string; boot: number };
  heartbeat(): HeartbeatFields;
  /** Which alerts are open now, with a detail each (no secrets). */
  alerts(): Partial<Record<AlertKind, string>>;
  /** Reportable sale events after `afterSeq`, oldest first, at most `limit`; undefined when the log cannot be read now. */
  saleEvents(afterSeq: number, limit: number): SaleEventFields[] | undefined;
  /** The newest sequence number given out. */
  lastSeq(): number;
  /** Every event up to this one is acknowledged (persisted). */
  acked(): number;
  setAcked(seq: number): void;
  /** A sale is open: a link that must yield (the device, with one TLS connection to spare) closes meanwhile. */
  saleOpen(): boolean;
  /** The catalog as it stands (names, prices, units left, sold out), with the configuration's hash: `up/catalog`. */
  catalog(): object;
}

export type ConfigAnswer = { result: 'applied'; cfg: string } | { result: 'refused'; reason: string } | { result: 'busy' };

export interface FleetTiming {
  heartbeatMs: number;
  /** An unacknowledged sale event is sent again after this long. */
  resendMs: number;
  /** The acknowledged number is written to the journal at most this often. */
  persistMs: number;
  reconnectMs: number;
  reconnectMaxMs: number;
}

export const FLEET_TIMING: FleetTiming = { heartbeatMs: 60_000, resendMs: 15_000, persistMs: 60_000, reconnectMs: 2_000, reconnectMaxMs: 60_000 };
/** Sale events in flight at once. */
export const OUTBOX_SIZE = 8;
const MAX_DETAIL = 200;

export interface FleetLinkDeps {
  posId: string;
  credentials: FleetCredentials;
  connect: MqttConnect;
  source: FleetSource;
  clock: Clock;
  /** Wall time in epoch milliseconds, undefined while the clock is not set. */
  wallTime: () => number | undefined;
  log: Log;
  /** Close the link while a sale is open (the device); reconnect once it is over. */
  yieldDuringSale?: boolean;
  /** Applies a catalog edit from `down/config` and persists it; 'busy' during a sale (tried again on the next change). */
  applyConfig?: (products: unknown) => ConfigAnswer;
  /** A verified `down/payment` push: a hint to read that payment now, never a fact to act on. */
  onPaymentPush?: (reference: string, state: string) => void;
  timing?: Partial<FleetTiming>;
}

export class FleetLink {
  private readonly deps: FleetLinkDeps;
  private readonly timing: FleetTiming;
  private readonly verifier: DownVerifier;
  private connection: MqttConnection | undefined;
  private up = false;
  private started = false;
  private yielded = false;
  private retryMs: number;
  private reconnectTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private resendTimer: TimerHandle | undefined;
  private persistTimer: TimerHandle | undefined;
  /** The acknowledged sequence number in memory (the journal's may lag by `persistMs`). */
  private acked: number;
  private lastPersist = -Infinity;
  private readonly sentAt = new Map<number, number>();
  private readonly acknowledged = new Set<number>();
  private published: Partial<Record<AlertKind, string>> = {};
  private publishedCatalog: string | undefined;
  private pendingConfig: { id: string; products: unknown } | undefined;
  /** Counters for the status screen and the tests. */
  readonly counts = { connects: 0, salesSent: 0, acks: 0, refused: 0 };

  constructor(deps: FleetLinkDeps) {
    const key = keyFromHex(deps.credentials.key);
    if (!key) throw new Error('fleet: the key must be 64 hex digits');
    this.deps = deps;
    this.timing = { ...FLEET_TIMING, ...deps.timing };
    this.verifier = new DownVerifier(key);
    this.retryMs = this.timing.reconnectMs;
    this.acked = deps.source.acked();
  }

  get connected(): boolean {
    return this.up;
  }

  /** The newest acknowledged sale event (in memory). */
  get ackedSeq(): number {
    return this.acked;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  stop(): void {
    this.started = false;
    this.disconnect();
    this.clear('reconnectTimer');
    this.clear('persistTimer');
  }

  /** The machine changed (a screen, a sale ended, a status): yield or come back, report alerts and new sale events. */
  changed(): void {
    if (!this.started) return;
    if (this.deps.yieldDuringSale) {
      const busy = this.deps.source.saleOpen();
      if (busy && !this.yielded) {
        this.yielded = true;
        this.deps.log.info('fleet: closed while a sale is open');
        this.disconnect();
        this.clear('reconnectTimer');
        return;
      }
      if (!busy && this.yielded) {
        this.yielded = false;
        this.retryMs = this.timing.reconnectMs;
        this.connect();
        return;
      }
    }
    if (!this.up) return;
    this.tryConfig();
    this.publishAlerts(false);
    this.publishCatalog(false);
    if (this.deps.source.lastSeq() > this.acked) this.pump();
  }

  private connect(): void {
    if (!this.started || this.yielded || this.connection) return;
    const { posId, credentials } = this.deps;
    let connection: MqttConnection | undefined;
    try {
      connection = this.deps.connect({
        url: credentials.url,
        clientId: posId,
        username: posId,
        password: credentials.password,
        will: { topic: upTopic(posId, 'will'), payload: '{"v":1,"online":false}' },
        subscribe: [downFilter(posId)],
      }, {
        onConnect: () => { if (this.connection === connection) this.onConnect(); },
        onMessage: (topic, payload) => { if (this.connection === connection) this.onMessage(topic, payload); },
        onClose: (why) => { if (this.connection === connection) this.onClose(why); },
      });
    } catch (error) {
      this.onClose((error as Error).message);
      return;
    }
    this.connection = connection;
  }

  private onConnect(): void {
    this.up = true;
    this.counts.connects++;
    this.retryMs = this.timing.reconnectMs;
    this.deps.log.info('fleet: connected');
    this.publish('hello', { ...this.deps.source.hello(), t: this.seconds() });
    this.publishAlerts(true);
    this.publishCatalog(true);
    this.heartbeat();
    this.sentAt.clear();
    this.pump();
  }

  private onClose(why: string): void {
    const wasUp = this.up;
    this.up = false;
    this.connection = undefined;
    this.clear('heartbeatTimer');
    this.clear('resendTimer');
    if (!this.started || this.yielded) return;
    if (wasUp) this.deps.log.warn(`fleet: connection lost (${why})`);
    this.clear('reconnectTimer');
    this.reconnectTimer = this.deps.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.timing.reconnectMaxMs);
  }

  private disconnect(): void {
    const connection = this.connection;
    this.connection = undefined;
    this.up = false;
    this.clear('heartbeatTimer');
    this.clear('resendTimer');
    if (connection) {
      try {
        connection.close();
      } catch {
        // already gone
      }
    }
  }

  private onMessage(topic: string, payload: string): void {
    const kind = downKindOf(this.deps.posId, topic);
    const refuse = (why: string) => {
      this.counts.refused++;
      this.deps.log.warn(`fleet: refused a message on ${topic.slice(0, 64)}: ${why}`);
    };
    if (!kind) return refuse('not a topic of this machine');
    const wall = this.deps.wallTime();
    const verified = this.verifier.verify(topic, payload, wall === undefined ? undefined : Math.floor(wall / 1000));
    if (!verified.ok) return refuse(verified.why);
    if (kind === 'ack') {
      const seqs = verified.message.seq;
      if (!Array.isArray(seqs) || !seqs.every((seq) => Number.isInteger(seq) && seq > 0)) return refuse('ack without sequence numbers');
      this.onAck(seqs as number[]);
      return;
    }
    if (kind === 'payment') {
      const { reference, state } = verified.message;
      if (typeof reference !== 'string' || reference.length > 50 || typeof state !== 'string' || state.length > 32) return refuse('payment push without a reference and state');
      if (!this.deps.onPaymentPush) return refuse('payment pushes are not used on this host');
      this.deps.onPaymentPush(reference, state);
      return;
    }
    const { id, products } = verified.message;
    if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) return refuse('configuration without an id');
    this.pendingConfig = { id, products };
    this.tryConfig();
  }

  /** Applies the configuration waiting (unless a sale is on) and answers it. */
  private tryConfig(): void {
    const pending = this.pendingConfig;
    if (!pending || !this.up) return;
    // Taken first: applying it changes the machine, whose change comes back here.
    this.pendingConfig = undefined;
    const answer: ConfigAnswer = this.deps.applyConfig ? this.deps.applyConfig(pending.products) : { result: 'refused', reason: 'remote configuration is not supported on this host' };
    if (answer.result === 'busy') {
      this.pendingConfig ??= pending;
      return;
    }
    this.deps.log.info(`fleet: configuration ${pending.id} ${answer.result}${answer.result === 'refused' ? `: ${answer.reason}` : ''}`);
    this.publish('ack', answer.result === 'applied' ? { id: pending.id, result: 'applied', cfg: answer.cfg } : { id: pending.id, result: 'refused', reason: answer.reason.slice(0, MAX_DETAIL) });
    this.publishCatalog(false);
  }

  private publishCatalog(always: boolean): void {
    const catalog = JSON.stringify(this.deps.source.catalog());
    if (!always && catalog === this.publishedCatalog) return;
    if (this.publish('catalog', JSON.parse(catalog) as object)) this.publishedCatalog = catalog;
  }

  private onAck(seqs: number[]): void {
    this.counts.acks++;
    for (const seq of seqs) if (seq > this.acked) this.acknowledged.add(seq);
    this.pump();
  }

  /**
   * Moves the acknowledged number over the events acknowledged in order, then sends what is not in
   * flight or whose ack is overdue. With nothing reportable left, every number given out counts as
   * acknowledged (test-fires and failed refunds are not sent).
   */
  private pump(): void {
    let events = this.deps.source.saleEvents(this.acked, OUTBOX_SIZE);
    if (!events) return; // the log cannot be read now; the next change or resend tries again
    while (events.length > 0 && this.acknowledged.has(events[0].seq)) {
      this.acked = events[0].seq;
      events.shift();
      if (events.length === 0) events = this.deps.source.saleEvents(this.acked, OUTBOX_SIZE) ?? [];
    }
    if (events.length === 0) this.acked = Math.max(this.acked, this.deps.source.lastSeq());
    for (const seq of [...this.acknowledged]) if (seq <= this.acked) this.acknowledged.delete(seq);
    for (const seq of [...this.sentAt.keys()]) if (seq <= this.acked) this.sentAt.delete(seq);
    this.persistSoon();
    if (!this.up) return;
    const now = this.deps.clock.now();
    let waiting = false;
    for (const event of events) {
      if (this.acknowledged.has(event.seq)) continue;
      const sent = this.sentAt.get(event.seq);
      if (sent === undefined || now - sent >= this.timing.resendMs) {
        if (!this.publish('sale', event)) return;
        this.sentAt.set(event.seq, now);
        this.counts.salesSent++;
      }
      waiting = true;
    }
    this.clear('resendTimer');
    if (waiting) this.resendTimer = this.deps.clock.setTimeout(() => { this.resendTimer = undefined; this.pump(); }, this.timing.resendMs);
  }

  private persistSoon(): void {
    if (this.acked <= this.deps.source.acked() || this.persistTimer !== undefined) return;
    const wait = this.lastPersist + this.timing.persistMs - this.deps.clock.now();
    if (wait <= 0) {
      this.persist();
      return;
    }
    this.persistTimer = this.deps.clock.setTimeout(() => { this.persistTimer = undefined; this.persist(); }, wait);
  }

  private persist(): void {
    this.lastPersist = this.deps.clock.now();
    this.deps.source.setAcked(this.acked);
  }

  private heartbeat(): void {
    this.clear('heartbeatTimer');
    if (!this.up) return;
    const fields = this.deps.source.heartbeat();
    this.publish('heartbeat', { t: this.seconds(), ...fields, seq: this.deps.source.lastSeq(), acked: this.acked });
    this.publishAlerts(false);
    this.heartbeatTimer = this.deps.clock.setTimeout(() => { this.heartbeatTimer = undefined; this.heartbeat(); }, this.timing.heartbeatMs);
  }

  /** Publishes each alert whose state changed (all of them after a hello). */
  private publishAlerts(all: boolean): void {
    const now = this.deps.source.alerts();
    for (const kind of ALERT_KINDS) {
      const detail = now[kind];
      if (!all && detail === this.published[kind]) continue;
      const open = detail !== undefined;
      if (!all && !open && this.published[kind] === undefined) continue;
      if (this.publish('alert', { kind, open, detail: (detail ?? this.published[kind] ?? '').slice(0, MAX_DETAIL), t: this.seconds() })) {
        if (open) this.published[kind] = detail;
        else delete this.published[kind];
      }
    }
  }

  private publish(kind: 'hello' | 'heartbeat' | 'sale' | 'alert' | 'ack' | 'catalog', fields: object): boolean {
    const connection = this.connection;
    if (!connection || !this.up) return false;
    try {
      return connection.publish(upTopic(this.deps.posId, kind), JSON.stringify({ v: 1, ...fields }));
    } catch (error) {
      this.deps.log.warn(`fleet: publish ${kind}: ${(error as Error).message}`);
      return false;
    }
  }

  private seconds(): number {
    const wall = this.deps.wallTime();
    return wall === undefined ? 0 : Math.floor(wall / 1000);
  }

  private clear(name: 'reconnectTimer' | 'heartbeatTimer' | 'resendTimer' | 'persistTimer'): void {
    const timer = this[name];
    if (timer !== undefined) this.deps.clock.clearTimeout(timer);
    this[name] = undefined;
  }
}
