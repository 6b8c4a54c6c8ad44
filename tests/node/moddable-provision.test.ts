// The Moddable host's provisioning console, its line reader, the Preference secrets and the stored
// machine configuration: the parts without Moddable imports, run on Node over the same in-memory
// store the core's tests use (with the device's key and value limits). The console's wiring to the
// serial port and Preference is proven in the simulator (moddable-sale.test.ts builds it).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStore } from 'journal/memory-store';
import { checkPin } from 'app/sale/service-mode';
import { LineSplitter } from 'hosts/moddable/line-splitter';
import { ProvisioningConsole } from 'hosts/moddable/provision';
import { buildTestCredentials, PreferenceSecrets } from 'hosts/moddable/secrets';
import { applyOverrides, MAX_CONFIG_BYTES, splitUtf8, StoredConfig } from 'hosts/moddable/stored-config';
import { PowerCut, PowerCutStore } from '../support/power-cut-store';
import { projectRoot } from '../support/xs';

const SAMPLE = readFileSync(join(projectRoot, 'config/sample-machine.json'), 'utf8');
const SECRET = 'Zm9vYmFyLXNlY3JldC12YWx1ZS0xMjM0NTY3ODkw';
const KEY = '0123456789abcdef0123456789abcdef';

// The XS built-in the line reader decodes with.
before(() => {
  const strings = String as unknown as { fromArrayBuffer?: (buffer: ArrayBuffer) => string };
  strings.fromArrayBuffer ??= (buffer) => new TextDecoder('utf-8', { fatal: true }).decode(buffer);
});

function rig(busy = false) {
  const secretStore = new MemoryStore();
  const configStore = new MemoryStore();
  const secrets = new PreferenceSecrets(secretStore, undefined);
  const config = new StoredConfig(configStore);
  let reboots = 0;
  let seed = 1;
  const console_ = new ProvisioningConsole({
    secrets, config, random: { uint32: () => (seed = (seed * 1103515245 + 12345) >>> 0) },
    busy: () => busy, status: () => 'state idle', reboot: () => { reboots++; },
  });
  return { secretStore, configStore, secrets, config, console: console_, reboots: () => reboots };
}

describe('provisioning console (serial line protocol)', () => {
  it('stores the four API keys and the base URL; the credentials are in use only once all four are set', () => {
    const { console: c, secrets } = rig();
    assert.deepEqual(c.handle('set clientId my-client-id-1234'), ['ok clientId stored (17 characters); takes effect at the next boot']);
    assert.equal(secrets.credentials(), undefined);
    assert.equal(secrets.source(), 'none');
    c.handle(`set secret ${SECRET}`);
    c.handle(`set key ${KEY}`);
    c.handle('set msn 123456');
    assert.deepEqual(secrets.credentials(), { clientId: 'my-client-id-1234', clientSecret: SECRET, subscriptionKey: KEY, merchantSerialNumber: '123456' });
    assert.equal(secrets.baseUrl(), 'https://api.vipps.no', 'provisioned keys default to production');
    assert.deepEqual(c.handle('set baseUrl https://apitest.vipps.no'), ['ok baseUrl stored (24 characters); takes effect at the next boot']);
    assert.equal(secrets.baseUrl(), 'https://apitest.vipps.no');
  });

  it('never echoes a secret: answers, show and errors name the field and a length only', () => {
    const { console: c } = rig();
    const answers = [
      ...c.handle(`set secret ${SECRET}`),
      ...c.handle(`set key ${KEY}`),
      ...c.handle('set wifiPassword correct-horse-battery'),
      ...c.handle(`sett secret ${SECRET}`),
      ...c.handle(`set secret ${SECRET} with spaces`),
      ...c.handle('show'),
    ];
    for (const answer of answers) {
      assert.ok(!answer.includes(SECRET) && !answer.includes(KEY) && !answer.includes('correct-horse'), answer);
      assert.match(answer, /^(ok|error) /);
    }
    const show = c.handle('show');
    assert.ok(show.includes(`ok secret: set (${SECRET.length} characters)`));
    assert.ok(show.includes('ok key: set (32 characters)'));
    assert.ok(show.includes('ok wifiPassword: set (21 characters)'));
  });

  it('refuses bad values and writes nothing: http base URLs, short PINs, msn with letters, unknown fields', () => {
    const { console: c, secretStore } = rig();
    for (const line of ['set baseUrl http://api.vipps.no', 'set baseUrl https://api.vipps.no/path', 'set pin 1234', 'set msn 12ab', 'set color red', 'set secret', 'set wifiPassword short']) {
      const [answer] = c.handle(line);
      assert.match(answer!, /^error /, line);
    }
    assert.deepEqual(secretStore.keys(), []);
  });

  it('keeps the PIN as salt:sha256(salt + PIN), which the service mode checks', () => {
    const { console: c, secrets } = rig();
    assert.deepEqual(c.handle('set pin 24681357'), ['ok pin stored (salted hash)']);
    const stored = secrets.pinHash()!;
    assert.match(stored, /^[0-9a-f]{8}:[0-9a-f]{64}$/);
    assert.ok(!stored.includes('24681357'));
    assert.ok(checkPin('24681357', stored));
    assert.ok(!checkPin('24681358', stored));
  });

  it('takes a configuration on one line, validated: a valid one is kept, an invalid one refused with its first problem', () => {
    const { console: c, config } = rig();
    const broken = JSON.parse(SAMPLE);
    broken.catalog[0].price = 0;
    const [refused] = c.handle(`set config ${JSON.stringify(broken)}`);
    assert.match(refused!, /^error config refused: catalog\[0\]\.price/);
    assert.equal(config.read(), undefined);
    assert.deepEqual(c.handle(`set config ${JSON.stringify(JSON.parse(SAMPLE))}`), ['ok config stored; reboot to apply']);
    assert.deepEqual(JSON.parse(config.read()!), JSON.parse(SAMPLE));
    assert.match(c.handle('show').at(-1)!, /^ok config: provisioned, \d+ bytes$/);
  });

  it('clears secrets, PIN and configuration (not the journal), and refuses a reboot while a sale runs', () => {
    const { console: c, secretStore, configStore, reboots } = rig();
    c.handle(`set secret ${SECRET}`);
    c.handle('set pin 24681357');
    c.handle(`set config ${JSON.stringify(JSON.parse(SAMPLE))}`);
    c.handle('clear');
    assert.deepEqual(secretStore.keys(), []);
    assert.deepEqual(configStore.keys(), []);
    assert.deepEqual(c.handle('reboot'), ['ok rebooting']);
    assert.equal(reboots(), 1);
    const busy = rig(true);
    assert.match(busy.console.handle('reboot')[0]!, /^error a sale is running/);
    assert.equal(busy.reboots(), 0);
  });

  it('keeps the fleet credentials (`set fleet <url> <password> <key>`), shows only the broker host, refuses bad ones, and `clear fleet` forgets them only', () => {
    const { console: c, secretStore, secrets } = rig();
    const fleetKey = 'ab'.repeat(32);
    const fleetPassword = 'fleet-password-Zm9vYmFy';
    const refused = [
      `set fleet mqtts://broker.example:8883 ${fleetPassword} 1234`,
      `set fleet mqtts://broker.example:8883 ${fleetPassword} ${'g'.repeat(64)}`,
      `set fleet https://broker.example ${fleetPassword} ${fleetKey}`,
      `set fleet mqtt://broker.example/path ${fleetPassword} ${fleetKey}`,
      `set fleet mqtts://broker.example:8883 ${fleetPassword}`,
    ];
    for (const line of refused) {
      const answers = c.handle(line);
      assert.match(answers[0]!, /^error /, line);
      assert.ok(!answers[0]!.includes(fleetPassword) && !answers[0]!.includes(fleetKey), line);
    }
    assert.deepEqual(secretStore.keys(), []);
    assert.equal(c.handle(`set fleet mqtts://broker.example:8883 ${fleetPassword} 1234`)[0], 'error fleet key must be 64 hex digits');
    assert.equal(c.handle(`set fleet https://broker.example ${fleetPassword} ${fleetKey}`)[0], 'error fleet url must be mqtt://host[:port] or mqtts://host[:port]');
    const [stored] = c.handle(`set fleet mqtts://broker.example:8883 ${fleetPassword} ${fleetKey.toUpperCase()}`);
    assert.equal(stored, 'ok fleet stored (broker.example:8883, TLS); takes effect at the next boot');
    assert.deepEqual(secrets.fleet(), { url: 'mqtts://broker.example:8883', password: fleetPassword, key: fleetKey });
    c.handle(`set secret ${SECRET}`);
    const shown = c.handle('show');
    assert.ok(shown.includes('ok fleet: provisioned (broker.example:8883)'), shown.join('\n'));
    assert.ok(!shown.join('\n').includes(fleetPassword) && !shown.join('\n').includes(fleetKey));
    assert.deepEqual(c.handle('clear fleet'), ['ok cleared the fleet credentials; reboot to apply']);
    assert.equal(secrets.fleet(), undefined);
    assert.ok(c.handle('show').includes('ok fleet: not set'));
    assert.deepEqual(secretStore.keys(), ['secret'], 'the API secret stays');
    c.handle(`set fleet mqtt://10.0.0.2 ${fleetPassword} ${fleetKey}`);
    c.handle('clear');
    assert.deepEqual(secretStore.keys(), [], 'clear forgets the fleet too');
  });

  it('answers help, status and unknown commands without repeating the line', () => {
    const { console: c } = rig();
    assert.match(c.handle('help')[0]!, /^ok commands: /);
    assert.deepEqual(c.handle('status'), ['ok state idle']);
    assert.deepEqual(c.handle(`${SECRET} oops`), [`error unknown command "${SECRET.slice(0, 12)}"; try help`]);
    assert.deepEqual(c.handle('   '), []);
  });
});

describe('build-time TEST credentials', () => {
  const settings = { testClientId: 'id', testClientSecret: 'secret', testSubscriptionKey: 'key', testMsn: '123456', testBaseUrl: 'https://apitest.vipps.no/' };

  it('are used only while nothing is provisioned', () => {
    const store = new MemoryStore();
    const secrets = new PreferenceSecrets(store, buildTestCredentials(settings));
    assert.equal(secrets.source(), 'build-test');
    assert.equal(secrets.baseUrl(), 'https://apitest.vipps.no');
    store.set('clientId', 'provisioned');
    assert.equal(secrets.credentials(), undefined, 'half-provisioned keys are not mixed with the build\'s');
    assert.equal(secrets.source(), 'none');
  });

  it('never with the production base URL, and not when one is missing', () => {
    assert.equal(buildTestCredentials({ ...settings, testBaseUrl: 'https://api.vipps.no' }), undefined);
    assert.equal(buildTestCredentials({ ...settings, testMsn: '' }), undefined);
  });
});

describe('stored machine configuration', () => {
  it('splits on UTF-8 byte limits without breaking a character or a surrogate pair', () => {
    const text = `${'a'.repeat(3999)}ø${'€'.repeat(2000)}😀x`;
    const pieces = splitUtf8(text, 4000);
    assert.equal(pieces.join(''), text);
    for (const piece of pieces) assert.ok(Buffer.byteLength(piece) <= 4000);
    assert.equal(pieces[0], 'a'.repeat(3999), 'ø (2 bytes) does not fit after 3999 bytes');
    assert.ok(!pieces.some((piece) => /^[\udc00-\udfff]/.test(piece)));
  });

  it('keeps a document larger than one Preference value over several keys, and refuses one over the limit', () => {
    const config = new StoredConfig(new MemoryStore());
    const big = JSON.parse(SAMPLE);
    // Twelve more products on free output pins, each named at length in all five languages.
    const pins = [4, 5, 12, 13, 14, 15, 18, 19, 21, 22, 23, 25];
    const long = (language: string, i: number) => `${language} ${i} ${'Sjokolade med hasselnøtter og karamell '.repeat(3)}`.slice(0, 100);
    pins.forEach((pin, i) => big.catalog.push({ ...big.catalog[0], id: `extra-${i}`, names: Object.fromEntries(['nb', 'en', 'sv', 'da', 'fi'].map((language) => [language, long(language, i)])), output: { ...big.catalog[0].output, pin } }));
    const text = JSON.stringify(big);
    assert.ok(Buffer.byteLength(text) > 8000, `${Buffer.byteLength(text)} bytes`);
    assert.equal(config.write(text), undefined);
    assert.equal(config.read(), text);
    assert.match(config.write('x'.repeat(MAX_CONFIG_BYTES + 1))!, /over the 32000-byte limit/);
  });

  it('keeps the previous document when the power is cut at any write of a new one', () => {
    const first = JSON.stringify(JSON.parse(SAMPLE));
    const changed = JSON.parse(SAMPLE);
    changed.catalog[0].price = 3900;
    const second = JSON.stringify(changed);
    for (let cutAt = 1; cutAt <= 8; cutAt++) {
      for (const how of ['before', 'lost', 'torn', 'after'] as const) {
        const inner = new MemoryStore();
        new StoredConfig(inner).write(first);
        const store = new PowerCutStore(inner);
        store.cutAtWrite(cutAt, how);
        try {
          new StoredConfig(store).write(second);
        } catch (error) {
          if (!(error instanceof PowerCut)) throw error;
        }
        const after = new StoredConfig(new MemoryStore(inner.snapshot())).read();
        assert.ok(after === first || after === second, `cut at write ${cutAt} (${how}) left ${after?.slice(0, 40)}`);
      }
    }
  });

  it('says when the stored document is damaged instead of using it', () => {
    const inner = new MemoryStore();
    new StoredConfig(inner).write(SAMPLE);
    inner.set('a0', inner.get('a0')!.replace('3500', '0350'));
    assert.throws(() => new StoredConfig(inner).read(), /checksum mismatch/);
  });

  it('applies machine.<field> build settings, read as JSON where they parse', () => {
    const document: Record<string, unknown> = JSON.parse(SAMPLE);
    applyOverrides(document, { 'machine.walkAwayTimeoutSeconds': '30', 'machine.posId': 'kiosk-7', 'machine.languages': '["en","nb"]', port: '8443' });
    assert.equal(document.walkAwayTimeoutSeconds, 30);
    assert.equal(document.posId, 'kiosk-7');
    assert.deepEqual(document.languages, ['en', 'nb']);
    assert.equal(document.port, undefined);
  });
});

describe('serial line splitter', () => {
  it('ends lines at CR, LF or CRLF, takes back a byte on backspace, decodes UTF-8, and drops an over-long line whole', () => {
    const lines: string[] = [];
    let tooLong = 0;
    const splitter = new LineSplitter((line) => lines.push(line), () => tooLong++, 16);
    const feed = (text: string) => { for (const byte of Buffer.from(text, 'utf8')) splitter.push(byte); };
    feed('show\r\nstatu\x7fus\nset pin 1234\rør\n');
    feed(`${'x'.repeat(20)}\nhelp\n`);
    assert.deepEqual(lines, ['show', 'status', 'set pin 1234', 'ør', 'help']);
    assert.equal(tooLong, 1);
  });
});
