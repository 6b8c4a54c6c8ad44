// HTTPS with the emulator's own root certificate, one kept-alive connection per sale.
import assert from 'node:assert/strict';
import { TransportError } from 'epayment/errors';
import { NOK, assertAllValid, failure, newReference, saleInput, startRig, type Rig } from './support';

describe('epayment client against the emulator: HTTPS', function () {
  this.timeout(20_000);
  let rig: Rig;

  before(async () => {
    rig = await startRig({ httpsPort: 0 });
  });
  after(async () => {
    await rig.close();
  });

  it('runs a whole sale over TLS, trusting the emulator root, on one connection and one handshake', async () => {
    const { client } = rig.newClient({}, true);
    rig.emulator.resetCounters();
    const reference = newReference('tls');
    await client.warmUp();
    await client.createPayment(saleInput(reference));
    rig.emulator.approve(reference);
    assert.equal((await client.getPayment(reference)).state, 'AUTHORIZED');
    await client.capture(reference, NOK(2500));
    const counters = rig.emulator.counters();
    assert.equal(counters.connections, 1);
    assert.equal(counters.tlsHandshakes, 1);
    assert.deepEqual(rig.emulator.payment(reference)?.aggregate.capturedAmount, NOK(2500));
    assertAllValid(rig.emulator);
  });

  it('refuses the emulator without its root certificate: a network error, not an answer', async () => {
    const { client } = rig.newClient({ baseUrl: rig.emulator.httpsBaseUrl!, retry: { attempts: 1 } });
    const error = await failure(client.warmUp());
    assert.ok(error instanceof TransportError && error.kind === 'network', String(error));
  });

  it('a reset over TLS is retried on a new connection and the capture happens once', async () => {
    const { client } = rig.newClient({}, true);
    const reference = newReference('tlsreset');
    await client.createPayment(saleInput(reference));
    rig.emulator.approve(reference);
    rig.emulator.injectFault({ route: 'POST /epayment/v1/payments/{reference}/capture', kind: 'reset-after-headers' });
    rig.emulator.resetCounters();
    await client.capture(reference, NOK(2500));
    assert.equal(rig.emulator.counters().tlsHandshakes, 1, 'one new connection after the reset');
    assert.deepEqual(rig.emulator.payment(reference)?.aggregate.capturedAmount, NOK(2500));
  });
});
