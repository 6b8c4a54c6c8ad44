// The embedded MQTT broker (aedes): nothing to install for a small fleet. It lets in the fleet
// server (user `fleet`, the server's own password) and the machines (user = posId, password checked
// against the hash in the machines table), and enforces fleet/acl.ts on every publish, will and
// subscription.
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { FLEET_USER, isPosId, mayPublish, maySubscribe, type Principal } from './acl';
import { sameSecret, verifyPassword } from './credentials';

export interface BrokerOptions {
  /** 0: any free port. */
  port: number;
  host?: string;
  /** PEM key and certificate chain: the broker speaks MQTT over TLS (mqtts://). */
  tls?: { key: string; cert: string };
  fleetPassword: string;
  /** The machine's stored password hash, or undefined for an unknown posId. */
  machinePasswordHash: (posId: string) => Promise<string | undefined>;
  log?: (line: string) => void;
}

export interface Broker {
  port: number;
  /** mqtt://127.0.0.1:port or mqtts://localhost:port */
  url: string;
  close(): Promise<void>;
}

function refused(message: string): AuthenticateError {
  // 4: bad user name or password (MQTT 3.1.1 CONNACK return code).
  return Object.assign(new Error(message), { returnCode: 4 as const }) as AuthenticateError;
}

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const log = options.log ?? (() => {});
  // aedes clients carry no user name; remember who each one logged in as.
  const principals = new WeakMap<Client, Principal>();

  const aedes = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const given = password?.toString('utf8') ?? '';
      if (username === FLEET_USER) {
        if (sameSecret(given, options.fleetPassword)) {
          principals.set(client, { kind: 'fleet' });
          return done(null, true);
        }
        log(`broker: refused fleet login from ${client.id}: wrong password`);
        return done(refused('wrong password'), null);
      }
      if (username === undefined || !isPosId(username)) {
        log(`broker: refused login from ${client.id}: not a posId`);
        return done(refused('unknown user'), null);
      }
      // A machine's client id is its posId (Mosquitto: use_username_as_clientid), so no client can
      // take over another's session and knock it offline.
      if (client.id !== username) {
        log(`broker: refused login of ${username}: client id ${client.id.slice(0, 40)} is not the posId`);
        return done(refused('client id must be the posId'), null);
      }
      options
        .machinePasswordHash(username)
        .then((hash) => (hash ? verifyPassword(given, hash) : false))
        .then(
          (ok) => {
            if (!ok) {
              log(`broker: refused login of ${username}: unknown machine or wrong password`);
              return done(refused('wrong user name or password'), null);
            }
            principals.set(client, { kind: 'machine', posId: username });
            done(null, true);
          },
          (error: Error) => {
            log(`broker: cannot check ${username}: ${error.message}`);
            done(Object.assign(new Error('server unavailable'), { returnCode: 3 as const }) as AuthenticateError, null);
          },
        );
    },
    authorizePublish(client, packet, callback) {
      // client null: the broker's own publish (none today), trusted.
      if (client === null) return callback(null);
      const principal = principals.get(client);
      if (principal && mayPublish(principal, packet.topic)) return callback(null);
      log(`broker: refused publish by ${describe(principal)} to ${packet.topic}`);
      callback(new Error('publish not authorized'));
    },
    authorizeSubscribe(client, subscription, callback) {
      const principal = principals.get(client);
      if (principal && maySubscribe(principal, subscription.topic)) return callback(null, subscription);
      log(`broker: refused subscription of ${describe(principal)} to ${subscription.topic}`);
      // null: SUBACK 0x80 for this filter, the connection stays.
      callback(null, null);
    },
  });

  const server: Server = options.tls ? createTlsServer(options.tls, aedes.handle) : createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: options.tls ? `mqtts://localhost:${port}` : `mqtt://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function describe(principal: Principal | undefined): string {
  if (!principal) return 'an unknown client';
  return principal.kind === 'fleet' ? FLEET_USER : principal.posId;
}
