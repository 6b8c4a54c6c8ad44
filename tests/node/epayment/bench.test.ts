// The bench's ePayment section measures what it says: three requests a sale on one kept-alive
// connection, a TLS handshake per request without keep-alive, and a create-to-QR time.
import assert from 'node:assert/strict';
import { benchEpayment } from '../../../tools/bench/epayment';

describe('bench: ePayment section', function () {
  this.timeout(30_000);

  it('counts requests, connections and handshakes per sale, and times create to QR', async () => {
    const bench = await benchEpayment();
    assert.deepEqual(bench.https.cold, { requests: 4, connections: 1, tlsHandshakes: 1 });
    assert.deepEqual(bench.https.warm, { requestsPerSale: 3, connectionsPerSale: 0, tlsHandshakesPerSale: 0 });
    assert.deepEqual(bench.http.warm, { requestsPerSale: 3, connectionsPerSale: 0, tlsHandshakesPerSale: 0 });
    assert.deepEqual(bench.httpsNoKeepAlive.warm, { requestsPerSale: 3, connectionsPerSale: 3, tlsHandshakesPerSale: 3 });
    for (const variant of [bench.http, bench.https, bench.httpsNoKeepAlive]) {
      const { median, p90, max } = variant.createToQrMs;
      assert.ok(median > 0 && median <= p90 && p90 <= max, JSON.stringify(variant.createToQrMs));
    }
  });
});
