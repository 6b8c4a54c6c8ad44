// The fleet server as a library: the database (migrated at start), the broker (embedded unless an
// mqtt:// URL is given) and the ingest client. main.ts is its command line; tests start it here.
import { startBroker, type Broker } from './broker';
import { openDatabase, type Database } from './database';
import { startIngest, type Ingest, type Outcome } from './ingest';
import { addMachine, type MachineCredentials } from './machines';
import { migrate } from './migrate';
import { startOperatorSide, type OperatorSide, type OperatorSideOptions } from './operator-side';
import { startBooksSync, type BooksSync } from './books/books-sync';
import { VippsClient, type VippsKeys } from './vipps/client';
import { WEBHOOK_PATH, webhookReceiver, type ReceiverOptions } from './webhooks/receiver';
import { startRegistrar, type Registrar } from './webhooks/registrar';
import { relayOwed } from './webhooks/relay-again';
import { every, type Repeating } from './every';

export interface FleetServerOptions {
  /** postgres://… ; absent: PGlite in dataDir, or in memory without one. */
  databaseUrl?: string;
  dataDir?: string;
  /** An external broker (Mosquitto), mqtt:// or mqtts://; absent: the embedded one. */
  mqttUrl?: string;
  /** The CA (PEM) the broker's certificate chains to, for mqtts:// (external or embedded with tls). */
  mqttCa?: string;
  /** Embedded broker's port (0: any free port) and address. */
  mqttPort?: number;
  mqttHost?: string;
  /** Embedded broker over TLS. */
  tls?: { key: string; cert: string };
  /** The `fleet` user's broker password. */
  fleetPassword: string;
  /** The broker URL written in new machines' credentials; default: the broker's own URL. */
  publicMqttUrl?: string;
  log?: (line: string) => void;
  onHandled?: (outcome: Outcome) => void;
  /** The operator's page on this port (0: any free one); absent: no page and no server-side alerts. */
  httpPort?: number;
  httpHost?: string;
  httpTls?: OperatorSideOptions['httpTls'];
  alertEveryMs?: number;
  alertUrl?: string;
  /** The merchant's keys for webhooks, refunds and the report (from EPAYMENT_*); absent: none of those. */
  vipps?: VippsKeys;
  /** How often the books read the settlement report, with the keys (default 15 min). */
  booksEveryMs?: number;
  /** The URL the service delivers webhooks to (the page's own /webhooks/vipps when absent). */
  publicWebhookUrl?: string;
  onWebhookRelayed?: ReceiverOptions['onRelayed'];
  /** How often events stored but not relayed are looked for (default 15 s). */
  relayAgainEveryMs?: number;
}

export interface FleetServer {
  db: Database;
  /** The embedded broker, when there is one. */
  broker?: Broker;
  /** Where the server's client connects (the embedded broker's or the external URL). */
  mqttUrl: string;
  ingest: Ingest;
  /** The page and the alert evaluator, when httpPort was given. */
  operator?: OperatorSide;
  /** The service's client, when the fleet holds the merchant's keys. */
  vipps?: VippsClient;
  /** The books' reader of the settlement report, when the fleet holds the keys. */
  books?: BooksSync;
  /** Registering our webhook, when the fleet has the merchant's keys and a page. */
  webhooks?: Registrar;
  /** Relays again what was stored but not relayed (with the page, which receives webhooks); a round returns how many went down. */
  relaysAgain?: Repeating<number>;
  addMachine(posId: string): Promise<MachineCredentials>;
  close(): Promise<void>;
}

export async function startFleetServer(options: FleetServerOptions): Promise<FleetServer> {
  const log = options.log ?? (() => {});
  const db = await openDatabase({ url: options.databaseUrl, dataDir: options.dataDir });
  let broker: Broker | undefined;
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log(`database: applied ${applied.join(', ')}`);
    if (!options.mqttUrl) {
      broker = await startBroker({
        port: options.mqttPort ?? 1883,
        host: options.mqttHost,
        tls: options.tls,
        fleetPassword: options.fleetPassword,
        machinePasswordHash: async (posId) =>
          (await db.query<{ password_hash: string }>('SELECT password_hash FROM machines WHERE pos_id = $1', [posId]))[0]?.password_hash,
        log,
      });
    }
    const mqttUrl = options.mqttUrl ?? broker!.url;
    const ingest = await startIngest({ db, mqttUrl, password: options.fleetPassword, ca: options.mqttCa, log, onHandled: options.onHandled });
    const publicUrl = options.publicMqttUrl ?? mqttUrl;
    const vipps = options.vipps ? new VippsClient(options.vipps) : undefined;
    const books = vipps ? startBooksSync({ db, vipps, everyMs: options.booksEveryMs ?? 15 * 60_000, log }) : undefined;
    let webhookUrl = options.publicWebhookUrl;
    const receive = webhookReceiver({ db, publisher: ingest.client, expectedHost: () => webhookUrl && new URL(webhookUrl).host, log, onRelayed: options.onWebhookRelayed });
    const operator = options.httpPort === undefined ? undefined : await startOperatorSide({
      db, publisher: ingest.client, vipps, httpPort: options.httpPort, httpHost: options.httpHost, httpTls: options.httpTls,
      alertEveryMs: options.alertEveryMs, alertUrl: options.alertUrl, log, webhooks: { path: WEBHOOK_PATH, receive },
    }).catch(async (error: unknown) => {
      await books?.close();
      await ingest.close();
      throw error;
    });
    if (operator) webhookUrl ??= new URL(WEBHOOK_PATH, operator.http.url).toString();
    const webhooks = vipps && operator && webhookUrl ? startRegistrar(db, vipps, webhookUrl, log) : undefined;
    const relaysAgain = operator
      ? every(options.relayAgainEveryMs ?? 15_000, () =>
          relayOwed(db, ingest.client, log).catch((error: unknown) => (log(`webhooks: relaying again failed: ${(error as Error).message}`), 0)))
      : undefined;
    void relaysAgain?.tick();
    return {
      db,
      broker,
      mqttUrl,
      ingest,
      operator,
      vipps,
      books,
      webhooks,
      relaysAgain,
      addMachine: (posId) => addMachine(db, posId, publicUrl),
      async close() {
        webhooks?.close();
        await relaysAgain?.close();
        await operator?.close();
        await books?.close();
        await ingest.close();
        await broker?.close();
        await db.close();
      },
    };
  } catch (error) {
    await broker?.close().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
}
