import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { startEmulator, type Emulator } from '../../../tools/emulator/index';
import { ApiClient, createBody, newReference } from './helpers';

/** One sale as a device does it: token, create, a few polls, capture. */
async function sale(client: ApiClient, emulator: Emulator): Promise<void> {
  assert.equal((await client.fetchToken()).status, 200);
  const reference = newReference();
  assert.equal((await client.create(createBody(reference))).status, 201);
  await client.get(reference);
  emulator.approve(reference);
  await client.get(reference);
  assert.equal((await client.capture(reference, 2500)).status, 200);
}

describe('emulator: counters (what one sale costs)', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ httpsPort: 0 });
  });
  afterEach(async () => {
    const errors = emulator.responseValidationErrors();
    await emulator.close();
    assert.deepEqual(errors, []);
  });

  it('counts one connection for a sale over a kept-alive connection, and the requests per route', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await sale(new ApiClient(emulator, emulator.baseUrl, { agent }), emulator);
    } finally {
      agent.destroy();
    }
    assert.deepEqual(emulator.counters(), {
      connections: 1,
      tlsHandshakes: 0,
      requests: {
        'POST /accesstoken/get': 1,
        'POST /epayment/v1/payments': 1,
        'GET /epayment/v1/payments/{reference}': 2,
        'POST /epayment/v1/payments/{reference}/capture': 1,
      },
      invalidRequests: 0,
      invalidResponses: 0,
    });
  });

  it('counts a connection and a TLS handshake per request when the client does not keep connections', async () => {
    await sale(new ApiClient(emulator, emulator.httpsBaseUrl, { ca: emulator.rootCertificatePem, agent: false }), emulator);
    const counters = emulator.counters();
    assert.equal(counters.connections, 5);
    assert.equal(counters.tlsHandshakes, 5);
  });

  it('counts one TLS handshake for a sale over one kept-alive HTTPS connection', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await sale(new ApiClient(emulator, emulator.httpsBaseUrl, { ca: emulator.rootCertificatePem, agent }), emulator);
    } finally {
      agent.destroy();
    }
    assert.equal(emulator.counters().connections, 1);
    assert.equal(emulator.counters().tlsHandshakes, 1);
  });

  it('counts invalid requests, and resets', async () => {
    const client = new ApiClient(emulator);
    await client.fetchToken();
    await client.create(createBody('bad'));
    assert.equal(emulator.counters().invalidRequests, 1);
    emulator.resetCounters();
    assert.deepEqual(emulator.counters(), { connections: 0, tlsHandshakes: 0, requests: {}, invalidRequests: 0, invalidResponses: 0 });
  });
});
