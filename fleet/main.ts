// npm run fleet -- [--database postgres://…] [--mqtt mqtt(s)://…] [--mqtt-port N] [--state DIR]
//                  [--add-machine POSID] [--add-operator NAME] [--http-port N] [--http-host ADDRESS]
// Runs the fleet server until Ctrl-C, or adds one machine and exits. With no options it needs
// nothing installed: PGlite keeps the data under .state/fleet/db and the broker is embedded.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FLEET_USER } from './acl';
import { openDatabase } from './database';
import { fleetPassword } from './fleet-password';
import { addMachine, writeCredentialsFile } from './machines';
import { migrate } from './migrate';
import { mosquittoAclFile, upsertMosquittoUser } from './mosquitto-files';
import { readOperatorPassword } from './operator-password';
import { addOperator } from './operators';
import { credentialsFor } from './local-fleet';
import { startFleetServer } from './server';
import { vippsKeysFromEnv } from './vipps/client';
import { startDemo } from '../tools/fleet-demo/demo';

const USAGE = `Usage: npm run fleet -- [options]

  --database URL        postgres://user:password@host:port/db (default: PGlite in STATE/db)
  --mqtt URL            an external broker, mqtt://host:port or mqtts://host:port (default: embedded)
  --mqtt-ca FILE        the CA (PEM) of an mqtts:// broker's certificate
  --mqtt-port N         the embedded broker's port (default 1883; 0 = any free port)
  --mqtt-host ADDRESS   the embedded broker's listen address (default 0.0.0.0)
  --public-url URL      the broker URL written in new machines' credentials
                        (default: --mqtt, or mqtt://<this host name>:<port>)
  --state DIR           state folder (default .state/fleet)
  --add-machine POSID   create a machine, write its credentials to STATE/machines/POSID.json
                        (mode 0600) and exit; prints only the file's path
  --mosquitto-dir DIR   with --add-machine: also add the machine (and the fleet user) to
                        DIR/passwords and write DIR/acl, for Mosquitto's password_file and
                        acl_file (send Mosquitto a SIGHUP afterwards)
  --add-operator NAME   create an operator of the page and exit; the password comes from
                        FLEET_OPERATOR_PASSWORD or stdin (typed unseen at a terminal)
  --http-port N         the operator's page (default 8090; 0 = any free port)
  --http-host ADDRESS   the page's listen address (default 127.0.0.1: put a TLS proxy in front)
  --epayment-ca FILE    the CA (PEM) of EPAYMENT_BASE_URL's certificate (the emulator's root)
  --webhook-url URL     the https URL the service delivers webhooks to, reaching this page's
                        /webhooks/vipps (default: the page's own URL, which only a local
                        emulator can reach)
  --books-every MIN     read the settlement report every MIN minutes, 1-1440 (default 15)
  --demo N              also run N desktop machines (demo-01 …, each with its built-in emulator,
                        state under .state/fleet-demo) linked to this fleet, with a customer at
                        each buying something every 8-12 s
  -h, --help            this text

EPAYMENT_BASE_URL, EPAYMENT_CLIENT_ID, EPAYMENT_CLIENT_SECRET, EPAYMENT_SUBSCRIPTION_KEY and
EPAYMENT_MSN, when set, are the merchant's keys: the fleet then registers its webhooks, makes
refunds and reads the report. They are never stored or shown.

FLEET_ALERT_URL, when set, receives each alert's opening and closing as a JSON POST.

The server's own broker password (user "fleet") comes from FLEET_MQTT_PASSWORD, or is made once
and kept in STATE/fleet-mqtt-password.`;

/** A whole number from min to max given as --name, or undefined when absent; `what` ends the refusal. */
function wholeNumber(value: string | undefined, name: string, min: number, max: number, what: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new Error(`--${name} must be ${what}, not ${value}`);
  return number;
}

const port = (value: string | undefined, name: string): number | undefined => wholeNumber(value, name, 0, 65535, 'a port number');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      database: { type: 'string' },
      mqtt: { type: 'string' },
      'mqtt-ca': { type: 'string' },
      'mqtt-port': { type: 'string' },
      'mqtt-host': { type: 'string', default: '0.0.0.0' },
      'public-url': { type: 'string' },
      state: { type: 'string', default: join('.state', 'fleet') },
      'add-machine': { type: 'string' },
      'mosquitto-dir': { type: 'string' },
      'add-operator': { type: 'string' },
      demo: { type: 'string' },
      'books-every': { type: 'string' },
      'epayment-ca': { type: 'string' },
      'webhook-url': { type: 'string' },
      'http-port': { type: 'string' },
      'http-host': { type: 'string', default: '127.0.0.1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const stateDir = resolve(values.state);
  const mqttPort = port(values['mqtt-port'], 'mqtt-port') ?? 1883;
  const databaseUrl = values.database;
  const dataDir = databaseUrl ? undefined : join(stateDir, 'db');
  const publicUrl = values['public-url'] ?? values.mqtt ?? `mqtt://${hostname()}:${mqttPort}`;
  const log = (line: string): void => console.log(`${new Date().toISOString()} ${line}`);

  if (values['add-operator'] !== undefined) {
    const password = await readOperatorPassword();
    const db = await openDatabase({ url: databaseUrl, dataDir });
    try {
      await migrate(db);
      await addOperator(db, values['add-operator'], password);
      console.log(`operator ${values['add-operator']} added`);
    } finally {
      await db.close();
    }
    return;
  }

  if (values['add-machine'] !== undefined) {
    const db = await openDatabase({ url: databaseUrl, dataDir });
    try {
      await migrate(db);
      const credentials = await addMachine(db, values['add-machine'], publicUrl);
      // The path only: the secrets never reach a terminal or a log.
      console.log(writeCredentialsFile(join(stateDir, 'machines'), credentials));
      if (values['mosquitto-dir']) {
        const dir = resolve(values['mosquitto-dir']);
        mkdirSync(dir, { recursive: true });
        upsertMosquittoUser(join(dir, 'passwords'), credentials.posId, credentials.password);
        upsertMosquittoUser(join(dir, 'passwords'), FLEET_USER, fleetPassword(stateDir));
        writeFileSync(join(dir, 'acl'), mosquittoAclFile(), { mode: 0o644 });
      }
    } finally {
      await db.close();
    }
    return;
  }

  const booksEveryMinutes = wholeNumber(values['books-every'], 'books-every', 1, 1440, 'whole minutes from 1 to 1440') ?? 15;
  const demoCount = wholeNumber(values.demo, 'demo', 0, 20, '0-20 machines') ?? 0;
  const server = await startFleetServer({
    databaseUrl,
    dataDir,
    mqttUrl: values.mqtt,
    mqttCa: values['mqtt-ca'] ? readFileSync(values['mqtt-ca'], 'utf8') : undefined,
    mqttPort,
    mqttHost: values['mqtt-host'],
    fleetPassword: fleetPassword(stateDir),
    publicMqttUrl: publicUrl,
    httpPort: port(values['http-port'], 'http-port') ?? 8090,
    httpHost: values['http-host'],
    alertUrl: process.env.FLEET_ALERT_URL || undefined,
    vipps: vippsKeysFromEnv(process.env, values['epayment-ca'] ? readFileSync(values['epayment-ca'], 'utf8') : undefined),
    publicWebhookUrl: values['webhook-url'],
    booksEveryMs: booksEveryMinutes * 60_000,
    log,
  });
  console.log(`fleet server
  database:  ${databaseUrl ? databaseUrl.replace(/\/\/[^@/]*@/, '//…@') : `PGlite in ${dataDir}`}
  broker:    ${values.mqtt ?? `embedded, port ${server.broker!.port}`}
  page:      ${server.operator!.http.url}
  webhooks:  ${server.webhooks ? `${server.webhooks.url} (registering in the background)` : 'none: EPAYMENT_* not set'}
  books:     ${server.books ? `the report read every ${booksEveryMinutes} min` : 'none: EPAYMENT_* not set'}
  machines:  npm run fleet -- --add-machine POSID
  operators: npm run fleet -- --add-operator NAME
Ctrl-C to stop.`);
  const demo = demoCount > 0 ? await startDemo({ credentialsFor: (posId) => credentialsFor(server, stateDir, posId) }, demoCount, { log }) : undefined;
  if (demo) console.log(`demo machines (each page shows its screen):\n${demo.machines.map((m) => `  ${m.posId}: ${m.pageUrl}`).join('\n')}`);

  const stop = (): void => {
    Promise.resolve(demo?.close()).then(() => server.close()).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`fleet: ${(error as Error).message}`);
  process.exit(1);
});
