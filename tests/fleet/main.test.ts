// `npm run fleet`: adding a machine from the command line, and the embedded broker over TLS with
// the project's own certificate chain.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureCertificateChain } from '../../tools/emulator/certificates';
import { verifyPassword } from '../../fleet/credentials';
import { openDatabase } from '../../fleet/database';
import { fleetPassword } from '../../fleet/fleet-password';
import type { MachineCredentials } from '../../fleet/machines';
import { startFleetServer } from '../../fleet/server';
import { freshDatabaseUrl } from './helpers';
import { connectAsync } from 'mqtt';

const run = promisify(execFile);

function mosquittoPasswordMatches(line: string, password: string): boolean {
  const [, , rounds, salt, hash] = line.split(':')[1]!.split('$');
  return pbkdf2Sync(password, Buffer.from(salt!, 'base64'), Number(rounds), 64, 'sha512').toString('base64') === hash;
}

describe('fleet command line and TLS', function () {
  this.timeout(60_000);
  let stateDir: string;

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'fleet-state-'));
  });
  afterEach(() => {
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('--add-machine writes the credentials to a 0600 file and prints only its path', async () => {
    const database = await freshDatabaseUrl();
    try {
      const mosquittoDir = join(stateDir, 'mosquitto');
      const args = ['tsx', 'fleet/main.ts', '--state', stateDir, '--add-machine', 'cli-1', '--public-url', 'mqtts://fleet.example:8883', '--mosquitto-dir', mosquittoDir];
      if (database.url) args.push('--database', database.url);
      const { stdout } = await run('npx', args, { cwd: join(import.meta.dirname, '../..') });
      const file = join(stateDir, 'machines', 'cli-1.json');
      assert.equal(stdout.trim(), file);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const credentials = JSON.parse(readFileSync(file, 'utf8')) as MachineCredentials;
      assert.deepEqual(Object.keys(credentials).sort(), ['key', 'password', 'posId', 'url']);
      assert.equal(credentials.posId, 'cli-1');
      assert.equal(credentials.url, 'mqtts://fleet.example:8883');
      assert.match(credentials.key, /^[0-9a-f]{64}$/);
      assert.ok(!stdout.includes(credentials.password) && !stdout.includes(credentials.key));

      // Mosquitto's files: the machine and the fleet user, each with the password it was given.
      const lines = readFileSync(join(mosquittoDir, 'passwords'), 'utf8').trim().split('\n');
      assert.deepEqual(lines.map((line) => line.split(':')[0]), ['cli-1', 'fleet']);
      assert.equal(mosquittoPasswordMatches(lines[0]!, credentials.password), true);
      assert.equal(mosquittoPasswordMatches(lines[1]!, fleetPassword(stateDir, {})), true);
      assert.match(readFileSync(join(mosquittoDir, 'acl'), 'utf8'), /^pattern write vend\/%u\/up\/#$/m);

      // The database holds the key and only a hash of the password.
      const db = await openDatabase({ url: database.url, dataDir: database.url ? undefined : join(stateDir, 'db') });
      try {
        const [row] = await db.query<{ password_hash: string; hmac_key: string }>(`SELECT password_hash, hmac_key FROM machines WHERE pos_id = 'cli-1'`);
        assert.equal(row!.hmac_key, credentials.key);
        assert.notEqual(row!.password_hash, credentials.password);
        assert.equal(await verifyPassword(credentials.password, row!.password_hash), true);
      } finally {
        await db.close();
      }

      // A second machine of the same name is refused, and the first one's file stays.
      await assert.rejects(run('npx', args, { cwd: join(import.meta.dirname, '../..') }), /exists already/);
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).password, credentials.password);
    } finally {
      await database.drop();
    }
  });

  it('refuses a --books-every that is not whole minutes from 1 to 1440, or a --demo over 20, with the reason, before starting anything', async () => {
    const refusals: Array<[string, string, string]> = [
      ['--books-every', '0', 'whole minutes from 1 to 1440'],
      ['--books-every', '2.5', 'whole minutes from 1 to 1440'],
      ['--demo', '21', '0-20 machines'],
    ];
    for (const [flag, bad, what] of refusals) {
      await assert.rejects(
        run('npx', ['tsx', 'fleet/main.ts', '--state', stateDir, flag, bad, '--http-port', '0', '--mqtt-port', '0'], { cwd: join(import.meta.dirname, '../..') }),
        (error: { stderr: string }) => error.stderr.includes(`${flag} must be ${what}, not ${bad}`),
      );
    }
  });

  it("makes the fleet's own broker password once and keeps it 0600, unless FLEET_MQTT_PASSWORD is set", () => {
    const first = fleetPassword(stateDir, {});
    assert.match(first, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(fleetPassword(stateDir, {}), first);
    assert.equal(statSync(join(stateDir, 'fleet-mqtt-password')).mode & 0o777, 0o600);
    assert.equal(fleetPassword(stateDir, { FLEET_MQTT_PASSWORD: 'from-env' }), 'from-env');
  });

  it('serves MQTT over TLS with the project chain: a machine that trusts the root gets in, one that does not is refused', async () => {
    const chain = ensureCertificateChain(join(stateDir, 'certs'));
    const server = await startFleetServer({ mqttPort: 0, tls: { key: chain.key, cert: chain.cert }, mqttCa: chain.rootPem, fleetPassword: 'tls-fleet-password' });
    try {
      assert.match(server.mqttUrl, /^mqtts:\/\/localhost:\d+$/);
      const credentials = await server.addMachine('tls-1');
      const options = { username: 'tls-1', clientId: 'tls-1', password: credentials.password, protocolVersion: 4 as const, reconnectPeriod: 0, connectTimeout: 5000 };
      const client = await connectAsync(server.mqttUrl, { ...options, ca: chain.rootPem });
      await client.publishAsync('vend/tls-1/up/hello', JSON.stringify({ v: 1, fw: '0.1.0', cfg: 'c'.repeat(64), boot: 1, t: 0 }));
      await client.endAsync();
      for (let i = 0; i < 50 && !(await server.db.query(`SELECT 1 FROM machines WHERE pos_id = 'tls-1' AND online`)).length; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await server.db.query<{ firmware: string }>(`SELECT firmware FROM machines WHERE pos_id = 'tls-1'`))[0]!.firmware, '0.1.0');
      await assert.rejects(connectAsync(server.mqttUrl, options), /certificate/);
    } finally {
      await server.close();
    }
  });
});
