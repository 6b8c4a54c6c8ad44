import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { startEmulator, type Emulator } from '../../../tools/emulator/index';
import { ApiClient, createBody, newReference, request } from './helpers';

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

async function authorizedPayment(emulator: Emulator): Promise<string> {
  return new ApiClient(emulator).payment();
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

  it('does not count connections that carried only admin calls, pages, a favicon or other non-API paths', async () => {
    const { baseUrl, httpsBaseUrl, rootCertificatePem: ca } = emulator;
    const reference = await authorizedPayment(emulator);
    const token = new URL(emulator.payment(reference)!.targetUrl).pathname.split('/').pop()!;
    emulator.resetCounters();
    // Each on a fresh connection (agent: false), over HTTP and over HTTPS.
    for (const [base, tls] of [[baseUrl, {}], [httpsBaseUrl!, { ca }]] as const) {
      for (const path of ['/', '/emulator/info', '/emulator/counters', `/emulator/payments/${reference}`, `/emulator/qr/${token}.svg`, `/emulator/pay/${token}`, '/favicon.ico', '/robots.txt', '/emulator/root.pem']) {
        await request(base + path, { agent: false, ...tls });
      }
      await request(`${base}/emulator/clock/advance`, { method: 'POST', body: '{"seconds":1}', agent: false, ...tls });
    }
    assert.deepEqual(emulator.counters(), { connections: 0, tlsHandshakes: 0, requests: {}, invalidRequests: 0, invalidResponses: 0 });
  });

  it('counts a connection once when it carries API requests, however many, and admin calls on it add nothing', async () => {
    for (const [base, tls, agent] of [
      [emulator.baseUrl, {}, new http.Agent({ keepAlive: true, maxSockets: 1 })],
      [emulator.httpsBaseUrl!, { ca: emulator.rootCertificatePem }, new https.Agent({ keepAlive: true, maxSockets: 1 })],
    ] as const) {
      emulator.resetCounters();
      try {
        // Admin first on the connection: not counted yet.
        await request(`${base}/emulator/info`, { agent, ...tls });
        assert.equal(emulator.counters().connections, 0);
        const client = new ApiClient(emulator, base, { agent, ...tls });
        await client.fetchToken();
        const reference = await client.payment();
        await client.get(reference);
        await request(`${base}/emulator/counters`, { agent, ...tls });
        await client.get(reference);
        assert.equal((await client.capture(reference, 2500)).status, 200);
      } finally {
        agent.destroy();
      }
      const counters = emulator.counters();
      assert.equal(counters.connections, 1, base);
      assert.equal(counters.tlsHandshakes, base.startsWith('https') ? 1 : 0, base);
      assert.equal(Object.values(counters.requests).reduce((a, b) => a + b, 0), 5);
    }
  });

  it('counts a kept-alive connection in the window where it first carries an API request, not again after a reset', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const client = new ApiClient(emulator, emulator.baseUrl, { agent });
      await client.fetchToken();
      assert.equal(emulator.counters().connections, 1);
      emulator.resetCounters();
      await client.fetchToken();
      assert.equal(emulator.counters().connections, 0, 'the same connection, already counted');
      assert.equal(emulator.counters().requests['POST /accesstoken/get'], 1);
    } finally {
      agent.destroy();
    }
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
