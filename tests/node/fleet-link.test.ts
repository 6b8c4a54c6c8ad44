// The machine's fleet link over real MQTT: an aedes broker on loopback, the npm mqtt client of the
// Node host, and the test in the fleet server's place, signing its acks with node:crypto (so the
// link's own HMAC is checked against another implementation).
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { MemoryStore } from 'journal/memory-store';
import { FleetLink, type ConfigAnswer, type FleetLinkDeps, type FleetSource } from 'fleet/link';
import { SaleJournal } from 'app/sale/journal';
import { nodeMqttConnect } from '../../hosts/node/mqtt-connect';
import { systemClock } from '../../hosts/node/system-clock';

const KEY = randomBytes(32).toString('hex');
const POS = 'm1';
const TIMING = { heartbeatMs: 150, resendMs: 300, persistMs: 0, reconnectMs: 100, reconnectMaxMs: 400 };

interface Broker { port: number; close(): Promise<void> }
const sockets = new Set<Socket>();

async function startBroker(port = 0): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const server: Server = createServer((socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); aedes.handle(socket); });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { aedes.close(() => server.close(() => resolve())); for (const socket of sockets) socket.destroy(); }),
  };
}

function signedAck(seq: number[], key = KEY, topic = `vend/${POS}/down/ack`): string {
  return signed({ seq }, key, topic);
}

function signed(fields: object, key = KEY, topic = `vend/${POS}/down/ack`): string {
  const m = JSON.stringify({ v: 1, t: Math.floor(Date.now() / 1000), n: randomBytes(8).toString('hex'), ...fields });
  return JSON.stringify({ m, s: createHmac('sha256', Buffer.from(key, 'hex')).update(`${topic}\n${m}`).digest('hex') });
}

function journalSource(journal: SaleJournal, open = { sale: false }): FleetSource {
  return {
    hello: () => ({ fw: '0.1.0', cfg: 'c'.repeat(64), boot: 3 }),
    heartbeat: () => ({ screen: 'idle', inService: true, queue: 0, pending: 0, late: 0, overdue: 0 }),
    alerts: () => ({}),
    saleEvents: (after, limit) => journal.saleEvents(after, limit)?.filter((event) => event.outcome !== 'test-fire').map((event) => ({ ...event, currency: 'NOK' })),
    lastSeq: () => journal.lastSaleSeq,
    acked: () => journal.fleetAcked,
    setAcked: (seq) => journal.setFleetAcked(seq),
    saleOpen: () => open.sale,
    catalog: () => ({ cfg: 'c'.repeat(64), languages: ['en'], currency: 'NOK', products: [] }),
  };
}

/** The fleet server's side: what the machine published, and acks on request. */
async function serverClient(port: number): Promise<{ client: MqttClient; messages: { topic: string; body: Record<string, unknown> }[] }> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'fleet', reconnectPeriod: 100 });
  const messages: { topic: string; body: Record<string, unknown> }[] = [];
  client.on('message', (topic, payload) => messages.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
  await new Promise<void>((resolve) => client.on('connect', () => client.subscribe(`vend/+/up/#`, () => resolve())));
  return { client, messages };
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sale = (n: number, outcome: 'captured' | 'test-fire' = 'captured') => ({ time: 1_800_000_000, product: 'cola', amount: 2500, reference: outcome === 'test-fire' ? 'test-pin-4' : `${POS}-${n}-abc`, outcome });

describe('fleet link over MQTT (aedes on loopback)', function () {
  this.timeout(15000);
  let broker: Broker;
  let server: Awaited<ReturnType<typeof serverClient>>;
  let link: FleetLink | undefined;
  const lines: string[] = [];
  const log = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };

  beforeEach(async () => {
    lines.length = 0;
    broker = await startBroker();
    server = await serverClient(broker.port);
  });
  afterEach(async () => {
    link?.stop();
    link = undefined;
    server.client.end(true);
    await broker.close();
  });

  function makeLink(journal: SaleJournal, extra: { open?: { sale: boolean }; yieldDuringSale?: boolean; key?: string; applyConfig?: FleetLinkDeps['applyConfig']; onPaymentPush?: FleetLinkDeps['onPaymentPush'] } = {}): FleetLink {
    link = new FleetLink({
      posId: POS,
      credentials: { url: `mqtt://127.0.0.1:${broker.port}`, password: 'pw', key: extra.key ?? KEY },
      connect: nodeMqttConnect(),
      source: journalSource(journal, extra.open),
      clock: systemClock,
      wallTime: () => Date.now(),
      log,
      yieldDuringSale: extra.yieldDuringSale ?? false,
      ...(extra.applyConfig ? { applyConfig: extra.applyConfig } : {}),
      ...(extra.onPaymentPush ? { onPaymentPush: extra.onPaymentPush } : {}),
      timing: TIMING,
    });
    link.start();
    return link;
  }

  it('says hello, beats, and sends each sale until a signed ack; the acked number is persisted', async () => {
    const journal = new SaleJournal(new MemoryStore(), { posId: POS, currency: 'NOK' });
    journal.appendLog(sale(1));
    journal.appendLog(sale(2, 'test-fire'));
    journal.appendLog(sale(3));
    makeLink(journal);
    await until(() => server.messages.some((m) => m.topic.endsWith('/up/hello')), 'hello');
    const hello = server.messages.find((m) => m.topic === `vend/${POS}/up/hello`)!.body;
    assert.deepEqual({ v: hello.v, fw: hello.fw, boot: hello.boot }, { v: 1, fw: '0.1.0', boot: 3 });
    await until(() => server.messages.filter((m) => m.topic.endsWith('/up/heartbeat')).length >= 2, 'two heartbeats');
    const salesSent = () => server.messages.filter((m) => m.topic.endsWith('/up/sale'));
    await until(() => salesSent().length >= 2, 'both sales');
    assert.deepEqual(salesSent().slice(0, 2).map((m) => [m.body.seq, m.body.reference, m.body.outcome, m.body.currency]), [[1, 'm1-1-abc', 'captured', 'NOK'], [3, 'm1-3-abc', 'captured', 'NOK']]);
    // No ack: both are sent again.
    await until(() => salesSent().length >= 4, 'resent sales');
    server.client.publish(`vend/${POS}/down/ack`, signedAck([1, 3]));
    await until(() => link!.ackedSeq === 3, 'acked 3');
    assert.equal(journal.fleetAcked, 3, 'persisted (test-fire 2 passed over)');
    const countAfterAck = salesSent().length;
    await new Promise((resolve) => setTimeout(resolve, TIMING.resendMs * 2));
    assert.equal(salesSent().length, countAfterAck, 'nothing is resent once acknowledged');
    // A new sale goes out at once when the machine says it changed.
    journal.appendLog(sale(4));
    link!.changed();
    await until(() => salesSent().some((m) => m.body.seq === 4), 'sale 4');
  });

  it('refuses acks that are unsigned, forged, for another topic or replayed, and says why', async () => {
    const journal = new SaleJournal(new MemoryStore(), { posId: POS, currency: 'NOK' });
    journal.appendLog(sale(1));
    makeLink(journal);
    await until(() => link!.connected, 'connected');
    server.client.publish(`vend/${POS}/down/ack`, JSON.stringify({ v: 1, seq: [1] }));
    server.client.publish(`vend/${POS}/down/ack`, signedAck([1], randomBytes(32).toString('hex')));
    server.client.publish(`vend/${POS}/down/ack`, signedAck([1], KEY, `vend/m2/down/ack`));
    await until(() => link!.counts.refused >= 3, 'three refusals');
    assert.equal(link!.ackedSeq, 0);
    assert.ok(lines.some((line) => /refused .*: unsigned/.test(line)), lines.join('\n'));
    assert.equal(lines.filter((line) => /refused .*: wrong signature/.test(line)).length, 2);
    const good = signedAck([1]);
    server.client.publish(`vend/${POS}/down/ack`, good);
    await until(() => link!.ackedSeq === 1, 'acked');
    server.client.publish(`vend/${POS}/down/ack`, good);
    await until(() => lines.some((line) => /: replayed/.test(line)), 'replay refused');
    assert.ok(!lines.some((line) => line.includes(KEY)), 'the key is never logged');
  });

  it('comes back after the broker restarts and sends what was sold meanwhile', async () => {
    const journal = new SaleJournal(new MemoryStore(), { posId: POS, currency: 'NOK' });
    makeLink(journal);
    await until(() => link!.connected, 'connected');
    const port = broker.port;
    server.client.end(true);
    await broker.close();
    await until(() => !link!.connected, 'link sees the broker gone');
    journal.appendLog(sale(1));
    link!.changed();
    broker = await startBroker(port);
    server = await serverClient(port);
    await until(() => server.messages.some((m) => m.topic.endsWith('/up/sale') && m.body.seq === 1), 'sale sent after reconnect', 8000);
    assert.ok(server.messages.some((m) => m.topic.endsWith('/up/hello')), 'hello again');
    assert.ok(link!.counts.connects >= 2);
  });

  it('yields while a sale is open when asked to, and reconnects after', async () => {
    const journal = new SaleJournal(new MemoryStore(), { posId: POS, currency: 'NOK' });
    const open = { sale: false };
    makeLink(journal, { open, yieldDuringSale: true });
    await until(() => link!.connected, 'connected');
    open.sale = true;
    link!.changed();
    assert.equal(link!.connected, false);
    await new Promise((resolve) => setTimeout(resolve, TIMING.reconnectMs * 3));
    assert.equal(link!.connected, false, 'stays closed during the sale');
    open.sale = false;
    link!.changed();
    await until(() => link!.connected, 'reconnected');
    assert.equal(link!.counts.connects, 2);
  });

  it('applies a signed configuration when no sale is open and answers it', async () => {
    const journal = new SaleJournal(new MemoryStore(), { posId: POS, currency: 'NOK' });
    let busy = true;
    const applied: unknown[] = [];
    const applyConfig = (products: unknown): ConfigAnswer => {
      if (busy) return { result: 'busy' };
      applied.push(products);
      link!.changed(); // the machine tells of its change while the edit is applied (the controller does)
      return Array.isArray(products) && products.length > 0 ? { result: 'applied', cfg: 'f'.repeat(64) } : { result: 'refused', reason: 'products: must list every product' };
    };
    makeLink(journal, { applyConfig });
    await until(() => link!.connected, 'connected');
    const topic = `vend/${POS}/down/config`;
    server.client.publish(topic, signed({ id: 'v1', products: [{ id: 'water' }] }, KEY, topic));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(applied.length, 0, 'not during a sale');
    busy = false;
    link!.changed();
    const acks = () => server.messages.filter((m) => m.topic === `vend/${POS}/up/ack`).map((m) => m.body);
    await until(() => acks().length === 1, 'ack');
    assert.deepEqual(acks()[0], { v: 1, id: 'v1', result: 'applied', cfg: 'f'.repeat(64) });
    server.client.publish(topic, signed({ id: 'v2', products: [] }, KEY, topic));
    await until(() => acks().length === 2, 'second ack');
    assert.deepEqual(acks()[1], { v: 1, id: 'v2', result: 'refused', reason: 'products: must list every product' });
    // Unsigned: never applied.
    server.client.publish(topic, JSON.stringify({ v: 1, id: 'v3', products: [] }));
    await until(() => link!.counts.refused >= 1, 'refused');
    assert.equal(applied.length, 2);
  });

  it('hands on a signed payment push; unsigned, forged, another machine\'s or malformed ones are refused', async () => {
    const journal = new SaleJournal(new MemoryStore(), { posId: POS, currency: 'NOK' });
    const pushes: string[] = [];
    makeLink(journal, { onPaymentPush: (reference, state) => pushes.push(`${reference} ${state}`) });
    await until(() => link!.connected, 'connected');
    const topic = `vend/${POS}/down/payment`;
    server.client.publish(topic, JSON.stringify({ v: 1, reference: `${POS}-1-abc`, state: 'AUTHORIZED' }));
    server.client.publish(topic, signed({ reference: `${POS}-1-abc`, state: 'AUTHORIZED' }, randomBytes(32).toString('hex'), topic));
    server.client.publish(topic, signed({ reference: `${POS}-1-abc`, state: 'AUTHORIZED' }, KEY, `vend/m2/down/payment`));
    server.client.publish(topic, signed({ reference: 42, state: 'AUTHORIZED' }, KEY, topic));
    await until(() => link!.counts.refused >= 4, 'four refusals');
    assert.deepEqual(pushes, []);
    assert.ok(lines.some((line) => /refused .*: payment push without a reference and state/.test(line)), lines.join('\n'));
    server.client.publish(topic, signed({ reference: `${POS}-1-abc`, state: 'AUTHORIZED' }, KEY, topic));
    await until(() => pushes.length === 1, 'the signed push');
    assert.deepEqual(pushes, [`${POS}-1-abc AUTHORIZED`]);
  });
});
