import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tls, { type PeerCertificate, type DetailedPeerCertificate } from 'node:tls';
import { API_ROUTE_TEMPLATES, startEmulator, type Emulator } from '../../../tools/emulator/index';
import { ApiClient, createBody, json, newReference, request } from './helpers';

/** The certificates as the server sent them, leaf first, stopping where the chain ends or loops. */
function peerChain(socket: tls.TLSSocket): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && Object.keys(cert).length > 0 && !chain.some((c) => c.fingerprint256 === cert!.fingerprint256)) {
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  return chain;
}

function connect(port: number, options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => resolve(socket));
    socket.on('error', reject);
  });
}

describe('emulator: HTTPS and its certificate chain', () => {
  let emulator: Emulator;
  let port: number;
  before(async () => {
    emulator = await startEmulator({ httpsPort: 0 });
    port = Number(new URL(emulator.httpsBaseUrl!).port);
  });
  after(async () => {
    const errors = emulator.responseValidationErrors();
    await emulator.close();
    assert.deepEqual(errors, []);
  });

  it('serves HTTPS beside HTTP, at https://localhost:PORT', () => {
    assert.match(emulator.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(emulator.httpsBaseUrl!, /^https:\/\/localhost:\d+$/);
  });

  it('sends leaf and intermediate, not the root', async () => {
    const socket = await connect(port, { rejectUnauthorized: false });
    const chain = peerChain(socket);
    socket.end();
    assert.deepEqual(
      chain.map((c) => c.subject.CN),
      ['localhost', 'qr-vending emulator intermediate CA'],
    );
    assert.equal(chain[1]!.issuer.CN, 'qr-vending emulator root CA');
  });

  it('is trusted by a client that trusts only the root, and by no client without it', async () => {
    const trusted = await connect(port, { ca: emulator.rootCertificatePem });
    assert.equal(trusted.authorized, true);
    assert.equal(peerChain(trusted).at(-1)!.subject.CN, 'qr-vending emulator root CA');
    trusted.end();
    await assert.rejects(connect(port, {}), /unable to get local issuer certificate/);
    const untrusted = await connect(port, { rejectUnauthorized: false });
    assert.equal(untrusted.authorized, false);
    untrusted.end();
  });

  it('speaks TLS 1.2 with plain RSA key exchange, what a Moddable device offers with DHE_RSA and ECDHE_RSA switched off', async () => {
    for (const cipher of ['AES128-GCM-SHA256', 'AES128-SHA256', 'AES128-SHA']) {
      const socket = await connect(port, { ca: emulator.rootCertificatePem, ciphers: cipher, maxVersion: 'TLSv1.2' });
      assert.equal(socket.getProtocol(), 'TLSv1.2');
      assert.equal(socket.getCipher().name, cipher);
      socket.destroy();
    }
  });

  it('names localhost, 127.0.0.1 and ::1 in the leaf', async () => {
    const socket = await connect(port, { ca: emulator.rootCertificatePem });
    const leaf = socket.getPeerX509Certificate()!;
    socket.end();
    assert.equal(leaf.checkHost('localhost'), 'localhost');
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.ok(leaf.subjectAltName!.includes('IP Address:0:0:0:0:0:0:0:1'));
    // 127.0.0.1 in the URL works as well as the name.
    const answer = await request(`https://127.0.0.1:${port}/emulator/info`, { ca: emulator.rootCertificatePem });
    assert.equal(answer.status, 200);
  });

  it('exports the root as PEM and as valid DER (what the Moddable TLS stack takes), the same certificate', () => {
    const fromPem = new X509Certificate(readFileSync(emulator.rootCertificatePemPath));
    const der = readFileSync(emulator.rootCertificateDerPath);
    assert.equal(der[0], 0x30, 'DER starts with an ASN.1 SEQUENCE');
    const fromDer = new X509Certificate(der);
    assert.equal(fromDer.fingerprint256, fromPem.fingerprint256);
    assert.equal(fromDer.ca, true);
    assert.equal(fromPem.toString(), new X509Certificate(emulator.rootCertificatePem).toString());
    assert.equal(fromDer.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  });

  it('serves the root over the admin API too', async () => {
    const pem = await request(`${emulator.baseUrl}/emulator/root.pem`);
    assert.equal(pem.body, emulator.rootCertificatePem);
    const der = await new Promise<Buffer>((resolve, reject) => {
      https.get(`${emulator.httpsBaseUrl}/emulator/root.der`, { ca: emulator.rootCertificatePem }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(Buffer.concat(parts)));
      }).on('error', reject);
    });
    assert.deepEqual(der, readFileSync(emulator.rootCertificateDerPath));
  });

  it('serves every API route over HTTPS to a client that trusts the root', async () => {
    emulator.resetCounters();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const client = new ApiClient(emulator, emulator.httpsBaseUrl, { ca: emulator.rootCertificatePem, agent });
      const reference = await client.payment({}, false);
      assert.equal((await client.forceApprove(reference)).status, 200);
      assert.equal(json(await client.get(reference)).state, 'AUTHORIZED');
      assert.equal((await client.capture(reference, 2000)).status, 200);
      assert.equal((await client.refund(reference, 500)).status, 200);
      assert.deepEqual(json(await client.cancel(reference)).aggregate.cancelledAmount, { currency: 'NOK', value: 500 });
      assert.deepEqual(json<Array<{ name: string }>>(await client.events(reference)).map((e) => e.name), ['CREATED', 'AUTHORIZED', 'CAPTURED', 'REFUNDED', 'CANCELLED']);
      const registered = json<{ id: string }>(await client.send('POST', '/webhooks/v1/webhooks', JSON.stringify({ url: 'https://example.com/hook', events: ['epayments.payment.captured.v1'] }), client.headers({ 'Content-Type': 'application/json' })));
      assert.equal(json<{ webhooks: unknown[] }>(await client.send('GET', '/webhooks/v1/webhooks', undefined, client.headers())).webhooks.length, 1);
      assert.equal((await client.send('DELETE', `/webhooks/v1/webhooks/${registered.id}`, undefined, client.headers())).status, 204);
      assert.deepEqual(Object.keys(emulator.counters().requests).sort(), [...API_ROUTE_TEMPLATES].sort());
      // URLs handed back follow the scheme and host the client used.
      const created = await client.create(createBody(newReference(), { qrFormat: { format: 'IMAGE/PNG', size: 200 } }));
      assert.match(json(created).redirectUrl as string, new RegExp(`^${emulator.httpsBaseUrl}/emulator/qr/[\\w-]+\\.png\\?size=200$`));
      assert.equal(emulator.counters().tlsHandshakes, 1, 'one kept-alive connection');
      for (const recorded of emulator.requests()) assert.deepEqual(recorded.validationErrors, [], recorded.path);
    } finally {
      agent.destroy();
    }
  });
});

describe('emulator: certificate directory', () => {
  it('on a wildcard address: base URLs on loopback, and a leaf that also names the machine\'s addresses (for a device on the LAN)', async () => {
    const certDir = mkdtempSync(join(tmpdir(), 'emulator-certs-'));
    try {
      const loopback = await startEmulator({ httpsPort: 0 });
      await loopback.close();
      // Reuse the CA (only the leaf is made for the new host names).
      for (const file of ['root-ca.pem', 'root-ca.der', 'root-ca.key.pem', 'intermediate-ca.pem', 'intermediate-ca.key.pem']) {
        copyFileSync(join(dirname(loopback.rootCertificatePemPath), file), join(certDir, file));
      }
      const emulator = await startEmulator({ host: '0.0.0.0', httpsPort: 0, certDir });
      try {
        assert.match(emulator.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.match(emulator.httpsBaseUrl!, /^https:\/\/localhost:\d+$/);
        const leaf = new X509Certificate(readFileSync(join(certDir, 'server.pem')));
        const lanAddresses = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4');
        for (const address of lanAddresses) assert.equal(leaf.checkIP(address!.address), address!.address);
        assert.equal(leaf.checkHost('localhost'), 'localhost');
        assert.equal((await request(`${emulator.httpsBaseUrl}/emulator/info`, { ca: loopback.rootCertificatePem })).status, 200);
      } finally {
        await emulator.close();
      }
    } finally {
      rmSync(certDir, { recursive: true, force: true });
    }
  });

  it('creates the chain in a new certDir at first start and reuses it afterwards', async () => {
    const certDir = mkdtempSync(join(tmpdir(), 'emulator-certs-'));
    try {
      const first = await startEmulator({ certDir, httpsPort: 0 });
      await first.close();
      assert.equal(first.rootCertificatePemPath, join(certDir, 'root-ca.pem'));
      assert.equal(first.rootCertificateDerPath, join(certDir, 'root-ca.der'));
      const second = await startEmulator({ certDir, httpsPort: 0 });
      try {
        assert.equal(second.rootCertificatePem, first.rootCertificatePem);
        const answer = await request(`${second.httpsBaseUrl}/emulator/info`, { ca: first.rootCertificatePem });
        assert.equal(answer.status, 200);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(certDir, { recursive: true, force: true });
    }
  });
});
