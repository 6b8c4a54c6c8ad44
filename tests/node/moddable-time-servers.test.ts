// DNS from DHCP and the provisioned NTP servers (issue 14, item 13): the parts without Moddable
// imports (hosts/moddable/time-servers.ts, the console's `set ntp`), on Node.
import assert from 'node:assert/strict';
import { MemoryStore } from 'journal/memory-store';
import { ProvisioningConsole } from 'hosts/moddable/provision';
import { PreferenceSecrets } from 'hosts/moddable/secrets';
import { askInTurn, DEFAULT_NTP_SERVERS, dnsServersFrom, ntpServers, parseNtpServers } from 'hosts/moddable/time-servers';

describe('DNS servers from DHCP (Net.get("DNS"))', () => {
  it('takes the IPv4 servers lwIP answers, in order, without blanks or repeats', () => {
    assert.deepEqual(dnsServersFrom(['192.168.1.1', '0.0.0.0', '192.168.1.1', '10.0.0.53']), ['192.168.1.1', '10.0.0.53']);
    assert.deepEqual(dnsServersFrom('192.168.1.1'), ['192.168.1.1']);
  });

  it('gives none when DHCP gave none (or the simulator, whose Net.get has no "DNS")', () => {
    assert.equal(dnsServersFrom(undefined), undefined);
    assert.equal(dnsServersFrom([]), undefined);
    assert.equal(dnsServersFrom(['0.0.0.0', 'not-an-address', 7]), undefined);
  });
});

describe('NTP servers', () => {
  it('default to the pool.ntp.org servers; the provisioned list, then the build\'s, come first', () => {
    assert.deepEqual(DEFAULT_NTP_SERVERS, ['0.pool.ntp.org', '1.pool.ntp.org', '2.pool.ntp.org', '3.pool.ntp.org']);
    assert.deepEqual(ntpServers(undefined, undefined), DEFAULT_NTP_SERVERS);
    assert.deepEqual(ntpServers(undefined, 'time.example.com'), ['time.example.com']);
    assert.deepEqual(ntpServers('ntp.uio.no,192.168.1.1', 'time.example.com'), ['ntp.uio.no', '192.168.1.1']);
  });

  it('parses a,b,c and refuses what is not a host name or an address', () => {
    assert.deepEqual(parseNtpServers('a.pool.ntp.org, b.pool.ntp.org ,c'), ['a.pool.ntp.org', 'b.pool.ntp.org', 'c']);
    assert.equal(typeof parseNtpServers(''), 'string');
    assert.equal(typeof parseNtpServers('bad_host!'), 'string');
    assert.equal(typeof parseNtpServers('a,b,c,d,e'), 'string');
  });

  it('asks one server at a time and says which one answered', () => {
    const asked: string[] = [];
    let result: { error: Error | null; time?: number; server?: string } | undefined;
    askInTurn(['dead.example', 'stale.example', 'good.example', 'unused.example'], (server, answer) => {
      asked.push(server);
      if (server === 'dead.example') answer(new Error('no answer'));
      else if (server === 'stale.example') answer(null, 1000);
      else answer(null, 1_800_000_000_000);
    }, (error, time, server) => { result = { error, time, server }; }, (time) => time > 1_735_689_600_000);
    assert.deepEqual(asked, ['dead.example', 'stale.example', 'good.example']);
    assert.deepEqual(result, { error: null, time: 1_800_000_000_000, server: 'good.example' });

    let failed: Error | null = null;
    askInTurn(['a', 'b'], (_server, answer) => answer(new Error('x')), (error) => { failed = error; });
    assert.ok(failed);
  });
});

describe('provisioning console: set ntp', () => {
  it('stores a valid list (normalised), shows it, and refuses a bad one without writing', () => {
    const store = new MemoryStore();
    const secrets = new PreferenceSecrets(store, undefined);
    const console_ = new ProvisioningConsole({ secrets, config: { write: () => undefined, clear() {}, describe: () => 'config: none' }, random: { uint32: () => 1 }, busy: () => false, status: () => '', reboot() {} });
    assert.match(console_.handle('help')[0]!, /set ntp <a,b,c>/);
    assert.deepEqual(console_.handle('set ntp ntp.uio.no, 1.pool.ntp.org'), ['ok ntp stored (ntp.uio.no,1.pool.ntp.org); takes effect at the next boot']);
    assert.equal(secrets.ntp(), 'ntp.uio.no,1.pool.ntp.org');
    assert.deepEqual(ntpServers(secrets.ntp(), undefined), ['ntp.uio.no', '1.pool.ntp.org']);
    assert.ok(console_.handle('show').includes('ok ntp: ntp.uio.no,1.pool.ntp.org'));
    assert.match(console_.handle('set ntp bad_host!')[0]!, /^error ntp/);
    assert.match(console_.handle('set ntp')[0]!, /^error ntp/);
    assert.equal(secrets.ntp(), 'ntp.uio.no,1.pool.ntp.org');
    console_.handle('clear');
    assert.equal(secrets.ntp(), undefined);
  });
});
