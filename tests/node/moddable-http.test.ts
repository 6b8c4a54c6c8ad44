// The Moddable host's HttpTransport (ECMA-419 HTTP client, the SDK's TLS) in the simulator against
// the emulator over HTTPS, under the ESP32's default memory limits: token, create and gets on one
// connection, queued requests, a body written in pieces, a reset, a slow answer past the timeout
// and an oversized body each recovered on a fresh connection, the network going down (connections
// closed, the next request on a new one), and the server's idle close followed
// by a new connection. Runs where the SDK is installed (MODDABLE set); about a minute (the idle wait).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../tools/emulator/index';
import { buildForSimulator, skipWithoutModdable } from '../support/moddable';
import { projectRoot } from '../support/xs';
import { runSimulatorUntil, tracedLines } from './moddable-sim-run';

interface Step { result: string; ms: number; connections: number; body?: number }

function steps(output: string): Map<string, Step> {
  const found = new Map<string, Step>();
  for (const line of tracedLines(output, 'http')) {
    const match = /^(\S+) (\S+) (\d+) ms conn (\d+)(?: body (\d+))?$/.exec(line);
    if (!match) continue;
    found.set(match[1]!, { result: match[2]!, ms: Number(match[3]), connections: Number(match[4]), ...(match[5] ? { body: Number(match[5]) } : {}) });
  }
  return found;
}

describe('Moddable HttpTransport against the emulator over HTTPS (simulator)', function () {
  this.timeout(240_000);
  let emulator: Emulator | undefined;
  let output = '';
  let results = new Map<string, Step>();
  const step = (name: string): Step => {
    const found = results.get(name);
    assert.ok(found, `no "http ${name}" trace in the simulator output:\n${output.slice(0, 4000)}`);
    return found;
  };

  before(async function () {
    skipWithoutModdable(this, 'run the HTTP transport in its simulator');
    emulator = await startEmulator({ httpsPort: 0 });
    // The test app bundles the root from the emulator's default certificate folder.
    assert.equal(emulator.rootCertificateDerPath, join(projectRoot, '.emulator/certs/root-ca.der'));
    const port = new URL(emulator.httpsBaseUrl!).port;
    const { clientId, clientSecret, subscriptionKey, merchantSerialNumber } = emulator.credentials;
    const mcSo = await buildForSimulator(join(projectRoot, 'tests/moddable/moddable-http'), [
      `port=${port}`, `clientId=${clientId}`, `clientSecret=${clientSecret}`, `subscriptionKey=${subscriptionKey}`, `msn=${merchantSerialNumber}`,
      // The emulator closes idle connections after 30 s.
      'idleWaitMs=31500',
    ]);
    output = await runSimulatorUntil(mcSo, /http-sim (done|failed)/, 120);
    results = steps(output);
    if (process.env.QRVEND_SIM_LOG) console.log(output);
  });

  after(async () => {
    await emulator?.close();
  });

  it('gets a token (content-length 0 on the empty POST) and keeps only the headers the core reads', () => {
    assert.equal(step('token').result, '200');
    assert.ok(step('token').body! > 1000);
    assert.match(output, /token type Bearer content-type application\/json(; charset=utf-8)? headers content-length,content-type\n/);
    const sent = emulator!.requests();
    assert.equal(sent.find((request) => request.route === 'POST /accesstoken/get')?.headers['content-length'], '0');
    const create = sent.find((request) => request.route === 'POST /epayment/v1/payments');
    assert.equal(create?.headers['content-length'], String(Buffer.byteLength(create!.body)));
  });

  it('creates a payment and makes 5 gets and 3 queued gets on the first connection', () => {
    assert.equal(step('create').result, '201');
    assert.match(output, /created true/);
    for (const name of ['get1', 'get2', 'get3', 'get4', 'get5', 'queued1', 'queued2', 'queued3', 'bigbody']) {
      assert.equal(step(name).result, '200', name);
      assert.equal(step(name).connections, 1, `${name} on a new connection`);
    }
  });

  it('writes a 6 KB body in several onWritable pieces', () => {
    const writes = Number(/bodyWrites (\d+)/.exec(output)?.[1]);
    assert.ok(writes >= 4, `${writes} body writes`);
  });

  it('rejects a reset with network and recovers on a new connection', () => {
    assert.equal(step('reset').result, 'network');
    assert.equal(step('after-reset').result, '200');
    assert.equal(step('after-reset').connections, 2);
  });

  it('times out a slow answer (1.5 s limit, 3 s latency), closes the client and recovers', () => {
    const slow = step('slow');
    assert.equal(slow.result, 'timeout');
    assert.ok(slow.ms >= 1400 && slow.ms < 2500, `timed out after ${slow.ms} ms`);
    assert.equal(step('after-slow').result, '200');
    assert.equal(step('after-slow').connections, 3);
  });

  it('refuses a 1 MiB answer from its content-length, without reading it, and recovers', () => {
    const oversized = step('oversized');
    assert.equal(oversized.result, 'too-large');
    assert.ok(oversized.ms < 1000, `refused after ${oversized.ms} ms`);
    assert.equal(step('after-oversized').result, '200');
    assert.equal(step('after-oversized').connections, 4);
  });

  it('closes its connections when the network goes down: a waiting request fails at once, the next one connects anew', () => {
    const inflight = step('down-inflight');
    assert.equal(inflight.result, 'network');
    assert.ok(inflight.ms < 1000, `rejected after ${inflight.ms} ms`);
    assert.equal(inflight.connections, 4);
    assert.equal(step('after-down').result, '200');
    assert.equal(step('after-down').connections, 5);
    // With the connection idle too: not reused after the drop.
    assert.equal(step('after-down-idle').result, '200');
    assert.equal(step('after-down-idle').connections, 6);
  });

  it('makes a new connection after the server closed the idle one', () => {
    assert.equal(step('after-idle').result, '200');
    assert.equal(step('after-idle').connections, 7);
    assert.match(output, /http-sim done requests \d+ connections 7/);
  });

  it('matches the emulator: 7 connections, 7 TLS handshakes, every request valid', () => {
    const counters = emulator!.counters();
    assert.equal(counters.connections, 7);
    assert.equal(counters.tlsHandshakes, 7);
    assert.equal(counters.invalidRequests, 0);
    assert.deepEqual(emulator!.responseValidationErrors(), []);
  });

  it('ran under the ESP32 default limits and reports its peak live memory', () => {
    const peak = /mem peak slotBytes (\d+) chunkBytes (\d+)/.exec(output);
    assert.ok(peak, 'no memory peak traced');
    // 32 bytes a slot in the 64-bit simulator.
    const slots = Number(peak[1]) / 32;
    const chunkBytes = Number(peak[2]);
    assert.ok(slots > 0 && slots <= 4928 && chunkBytes > 0 && chunkBytes <= 78848, peak[0]);
    const warm = ['get1', 'get2', 'get3', 'get4', 'get5'].map((name) => step(name).ms);
    const fresh = ['after-reset', 'after-slow', 'after-oversized', 'after-idle'].map((name) => step(name).ms);
    console.log(`      first request ${step('token').ms} ms (TLS handshake included); warm gets ${warm.join('/')} ms; on a fresh connection ${fresh.join('/')} ms; peak live ${slots} slots, ${chunkBytes} chunk bytes`);
  });
});
