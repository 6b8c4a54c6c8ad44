// The fleet server's small parts on their own: signing, credentials, the ACL, Mosquitto's files,
// the checks of messages up.
import assert from 'node:assert/strict';
import { createHmac, pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filterWithin, mayPublish, maySubscribe, topicMatches } from '../../fleet/acl';
import { hashPassword, newCredentials, verifyPassword } from '../../fleet/credentials';
import { parseUp } from '../../fleet/messages';
import { mosquittoAclFile, mosquittoPasswordFile, mosquittoPasswordLine, upsertMosquittoUser } from '../../fleet/mosquitto-files';
import { signDown, verifyDown } from '../../fleet/signing';
import { hello, sale } from './helpers';

const KEY = '0f'.repeat(32);

describe('fleet parts', () => {
  describe('signed messages down', () => {
    it('signs topic + "\\n" + m with HMAC-SHA256 and the verifier accepts it once', () => {
      const topic = 'vend/m-1/down/ack';
      const envelope = JSON.parse(signDown(KEY, topic, { seq: [4, 5] }, 1_765_000_000)) as { m: string; s: string };
      assert.deepEqual(Object.keys(envelope), ['m', 's']);
      assert.equal(envelope.s, createHmac('sha256', Buffer.from(KEY, 'hex')).update(`${topic}\n${envelope.m}`).digest('hex'));
      const message = JSON.parse(envelope.m);
      assert.equal(message.v, 1);
      assert.equal(message.t, 1_765_000_000);
      assert.match(message.n, /^[0-9a-f]{16}$/);
      assert.deepEqual(message.seq, [4, 5]);
      const seen = new Map<string, number>();
      const payload = JSON.stringify(envelope);
      assert.deepEqual(verifyDown(KEY, topic, payload, { nowSeconds: 1_765_000_010, seenNonces: seen }), { ok: true, message });
      assert.deepEqual(verifyDown(KEY, topic, payload, { nowSeconds: 1_765_000_011, seenNonces: seen }), { ok: false, reason: 'nonce seen' });
    });

    it('refuses another topic, another key, a changed message, an old time, an unset clock, junk', () => {
      const topic = 'vend/m-1/down/ack';
      const payload = signDown(KEY, topic, { seq: [1] }, 1_765_000_000);
      const now = { nowSeconds: 1_765_000_000 };
      assert.equal(verifyDown(KEY, 'vend/m-2/down/ack', payload, now).ok, false);
      assert.equal(verifyDown('1f'.repeat(32), topic, payload, now).ok, false);
      const changed = JSON.parse(payload);
      changed.m = changed.m.replace('[1]', '[2]');
      assert.deepEqual(verifyDown(KEY, topic, JSON.stringify(changed), now), { ok: false, reason: 'wrong signature' });
      assert.deepEqual(verifyDown(KEY, topic, payload, { nowSeconds: 1_765_000_061 }), { ok: false, reason: 'time out of range' });
      assert.deepEqual(verifyDown(KEY, topic, payload, {}), { ok: false, reason: 'clock not set' });
      assert.deepEqual(verifyDown(KEY, topic, 'not json', now), { ok: false, reason: 'not JSON' });
      assert.deepEqual(verifyDown(KEY, topic, '{"m":"{}"}', now), { ok: false, reason: 'm or s missing' });
    });
  });

  describe('credentials', () => {
    it('makes a 32-character password, a 64-hex key, and a salted scrypt hash that verifies only that password', async () => {
      const credentials = await newCredentials();
      assert.match(credentials.password, /^[A-Za-z0-9_-]{32}$/);
      assert.match(credentials.key, /^[0-9a-f]{64}$/);
      assert.match(credentials.passwordHash, /^scrypt\$32768\$8\$1\$/);
      assert.ok(!credentials.passwordHash.includes(credentials.password));
      assert.equal(await verifyPassword(credentials.password, credentials.passwordHash), true);
      assert.equal(await verifyPassword(`${credentials.password}x`, credentials.passwordHash), false);
      assert.equal(await verifyPassword(credentials.password, 'garbage'), false);
      assert.notEqual(await hashPassword('same'), await hashPassword('same'), 'salted');
    });
  });

  describe('ACL', () => {
    it('matches topics as MQTT does', () => {
      assert.equal(topicMatches('vend/+/up/#', 'vend/m-1/up/sale'), true);
      assert.equal(topicMatches('vend/+/up/#', 'vend/m-1/up'), true);
      assert.equal(topicMatches('vend/+/up/#', 'vend/m-1/down/ack'), false);
      assert.equal(filterWithin('vend/+/up/#', 'vend/m-1/up/sale'), true);
      assert.equal(filterWithin('vend/m-1/down/#', 'vend/+/down/#'), false);
      assert.equal(filterWithin('vend/m-1/down/#', '#'), false);
    });

    it('gives a machine its own up topics to publish and its own down topics to read, nothing else', () => {
      const machine = { kind: 'machine', posId: 'm-1' } as const;
      assert.equal(mayPublish(machine, 'vend/m-1/up/sale'), true);
      assert.equal(mayPublish(machine, 'vend/m-2/up/sale'), false);
      assert.equal(mayPublish(machine, 'vend/m-1/down/ack'), false);
      assert.equal(mayPublish(machine, 'vend/m-1/up/+'), false);
      assert.equal(maySubscribe(machine, 'vend/m-1/down/#'), true);
      assert.equal(maySubscribe(machine, 'vend/m-1/down/ack'), true);
      assert.equal(maySubscribe(machine, 'vend/m-2/down/#'), false);
      assert.equal(maySubscribe(machine, 'vend/+/down/#'), false);
      assert.equal(maySubscribe(machine, 'vend/m-1/up/#'), false);
      assert.equal(maySubscribe(machine, '$SYS/#'), false);
    });

    it('gives the fleet every up topic to read and every down topic to publish, nothing else', () => {
      const fleet = { kind: 'fleet' } as const;
      assert.equal(maySubscribe(fleet, 'vend/+/up/#'), true);
      assert.equal(maySubscribe(fleet, 'vend/+/down/#'), false);
      assert.equal(maySubscribe(fleet, '#'), false);
      assert.equal(mayPublish(fleet, 'vend/m-1/down/ack'), true);
      assert.equal(mayPublish(fleet, 'vend/m-1/up/sale'), false);
      assert.equal(mayPublish(fleet, 'other/topic'), false);
    });
  });

  describe('Mosquitto files', () => {
    it('writes $7$ lines that mosquitto_passwd would (PBKDF2-SHA512, 101 rounds, 12-byte salt)', () => {
      // A line made by Mosquitto 2.0.11's mosquitto_passwd for m1 / secret.
      const salt = Buffer.from('Vo93DzNWLDctE8CI', 'base64');
      assert.equal(
        mosquittoPasswordLine('m1', 'secret', salt),
        'm1:$7$101$Vo93DzNWLDctE8CI$HLUtsx9SXlSVh67YxTjrtvMjEz0LLoYYecYijiebwEdVCb+3umMH/Z564g+Zv/gt4TUcD7y3v+5ozkXofu5CwQ==',
      );
      const file = mosquittoPasswordFile({ fleet: 'f-pass', 'm-1': 'm-pass' });
      const lines = file.trim().split('\n');
      assert.equal(lines.length, 2);
      const [user, rest] = lines[1]!.split(':');
      assert.equal(user, 'm-1');
      const [, seven, rounds, saltB64, hash] = rest!.split('$');
      assert.equal(seven, '7');
      assert.equal(rounds, '101');
      assert.equal(hash, pbkdf2Sync('m-pass', Buffer.from(saltB64!, 'base64'), 101, 64, 'sha512').toString('base64'));
      assert.throws(() => mosquittoPasswordFile({ 'bad:user': 'x' }), /posId/);
    });

    it('adds a user to a password file, or replaces its line, keeping the others', () => {
      const dir = mkdtempSync(join(tmpdir(), 'fleet-mosquitto-'));
      try {
        const file = join(dir, 'passwords');
        upsertMosquittoUser(file, 'm-1', 'one');
        upsertMosquittoUser(file, 'fleet', 'f');
        const before = readFileSync(file, 'utf8').split('\n')[0];
        upsertMosquittoUser(file, 'fleet', 'g');
        const lines = readFileSync(file, 'utf8').trim().split('\n');
        assert.deepEqual(lines.map((line) => line.split(':')[0]), ['m-1', 'fleet']);
        assert.equal(lines[0], before);
        const [, , , salt, hash] = lines[1]!.split('$');
        assert.equal(hash, pbkdf2Sync('g', Buffer.from(salt!, 'base64'), 101, 64, 'sha512').toString('base64'));
        assert.throws(() => upsertMosquittoUser(file, 'm 2', 'x'), /posId/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('writes the ACL table of the protocol', () => {
      const acl = mosquittoAclFile();
      assert.match(acl, /^user fleet\ntopic read vend\/\+\/up\/#\ntopic write vend\/\+\/down\/#$/m);
      assert.match(acl, /^pattern write vend\/%u\/up\/#$/m);
      assert.match(acl, /^pattern read vend\/%u\/down\/#$/m);
      assert.doesNotMatch(acl, /readwrite|topic #/);
    });
  });

  describe('messages up', () => {
    const parse = (topic: string, body: unknown) => parseUp(topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));

    it('accepts each kind as the protocol describes it', () => {
      assert.equal(parse('vend/m-1/up/hello', hello()).ok, true);
      assert.equal(parse('vend/m-1/up/sale', sale('m-1')).ok, true);
      assert.equal(parse('vend/m-1/up/alert', { v: 1, kind: 'journal', open: true, detail: 'E05', t: 0 }).ok, true);
      assert.equal(parse('vend/m-1/up/ack', { v: 1, id: '3', result: 'refused', reason: 'catalog[0].price' }).ok, true);
      assert.equal(parse('vend/m-1/up/will', { v: 1, online: false }).ok, true);
    });

    it('refuses with a reason: not JSON, not an object, v:2, a wrong type, a missing field, too large, a foreign reference, an unknown kind', () => {
      const reason = (topic: string, body: unknown): string => {
        const parsed = parse(topic, body);
        assert.equal(parsed.ok, false, `${topic} ${JSON.stringify(body)} should be refused`);
        return (parsed as { reason: string }).reason;
      };
      assert.equal(reason('vend/m-1/up/sale', '{"v":1,'), 'not JSON');
      assert.equal(reason('vend/m-1/up/sale', '[1]'), 'not a JSON object');
      assert.equal(reason('vend/m-1/up/sale', sale('m-1', { v: 2 })), 'v is not 1');
      assert.match(reason('vend/m-1/up/sale', sale('m-1', { amount: '2500' })), /amount must be an integer/);
      assert.match(reason('vend/m-1/up/sale', sale('m-1', { seq: 0 })), /seq is out of range/);
      assert.match(reason('vend/m-1/up/sale', sale('m-1', { outcome: undefined })), /outcome must be one of/);
      assert.match(reason('vend/m-1/up/sale', sale('m-1', { product: 'x'.repeat(1100) })), /over 1024/);
      assert.match(reason('vend/m-1/up/sale', sale('m-1', { reference: 'm-2-0001' })), /does not start with m-1-/);
      assert.match(reason('vend/m-1/up/heartbeat', { v: 1 }), /t must be an integer/);
      assert.match(reason('vend/m-1/up/reboot', { v: 1 }), /unknown kind/);
      assert.match(reason('vend/m-1/up/constructor', { v: 1 }), /unknown kind/);
      assert.equal(reason('vend/fleet/up/sale', sale('fleet')), 'not a posId');
    });
  });
});
