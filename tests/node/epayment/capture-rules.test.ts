// The client against the emulator over real sockets, on the capture rules newer than the vendored
// spec: captureGuaranteedUntil, 6260 (final: reported at once), 6280 (retried with the same key),
// and the capture deadline, after which nothing is reserved and a capture is refused.
import assert from 'node:assert/strict';
import { ERROR_CODES, isApiError } from 'epayment/errors';
import { isReserved, reservedAmount } from 'epayment/reserved';
import { NOK, assertAllValid, failure, newReference, saleInput, startRig, type Rig } from './support';

const CAPTURE = 'POST /epayment/v1/payments/{reference}/capture';
const DAY_S = 24 * 3600;

describe('epayment client against the emulator: capture rules', function () {
  this.timeout(30_000);
  let rig: Rig;

  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    assertAllValid(rig.emulator);
    await rig.close();
  });

  async function authorized(prefix: string): Promise<string> {
    const reference = newReference(prefix);
    await rig.client.createPayment(saleInput(reference));
    rig.emulator.approve(reference);
    return reference;
  }

  const captureTries = (reference: string) => rig.emulator.requests().filter((r) => r.path.endsWith(`${reference}/capture`));

  it('reads captureGuaranteedUntil from get payment once authorized (7 days after, emulator time)', async () => {
    const reference = newReference('guarantee');
    await rig.client.createPayment(saleInput(reference));
    assert.equal((await rig.client.getPayment(reference)).captureGuaranteedUntil, undefined);
    rig.emulator.approve(reference);
    const status = await rig.client.getPayment(reference);
    const until = Date.parse(status.captureGuaranteedUntil!);
    assert.ok(Math.abs(until - (rig.emulator.now() + 7 * DAY_S * 1000)) < 5_000, status.captureGuaranteedUntil);
    assert.ok(isReserved(status));
  });

  it('6260 Funds unavailable: reported after one try, nothing captured, the money still reserved', async () => {
    const reference = await authorized('funds');
    rig.emulator.fundsUnavailable(reference);
    const error = await failure(rig.client.capture(reference, NOK(2500)));
    assert.ok(isApiError(error, 400, ERROR_CODES.fundsUnavailable), String(error));
    assert.equal(captureTries(reference).length, 1, 'not retried');
    const status = await rig.client.getPayment(reference);
    assert.equal(reservedAmount(status), 2500);
    assert.ok(isReserved(status));
  });

  it('6260 from a status fault, even with a 5xx status: one try', async () => {
    const reference = await authorized('funds5xx');
    rig.emulator.injectFault({ route: CAPTURE, kind: 'status', status: 503, errorCode: '6260' });
    const error = await failure(rig.client.capture(reference, NOK(2500)));
    assert.ok(isApiError(error, 503, '6260'), String(error));
    assert.equal(captureTries(reference).length, 1);
  });

  it('6280 Capture failed, try again later (400): retried with the same key, captured exactly once', async () => {
    const reference = await authorized('later');
    rig.emulator.injectFault({ route: CAPTURE, kind: 'status', status: 400, errorCode: '6280', times: 2 });
    const status = await rig.client.capture(reference, NOK(2500));
    assert.deepEqual(status.aggregate.capturedAmount, NOK(2500));
    assert.equal(reservedAmount(status), 0);
    assert.equal(isReserved(status), false, 'captured: AUTHORIZED, and nothing reserved');
    const tries = captureTries(reference);
    assert.deepEqual(tries.map((t) => t.status), [400, 400, 200]);
    assert.deepEqual([...new Set(tries.map((t) => t.headers['idempotency-key']))], [`capture-2500-${reference}`]);
    assert.equal(rig.emulator.payment(reference)!.events.filter((e) => e.name === 'CAPTURED').length, 1);
  });

  it('past the capture deadline the service has cancelled the reservation: nothing reserved, a capture is refused (400, 6070) without retries', async () => {
    const reference = await authorized('deadline');
    rig.emulator.advanceClock(181 * DAY_S);
    const status = await rig.client.getPayment(reference);
    assert.equal(status.state, 'AUTHORIZED');
    assert.deepEqual(status.aggregate.cancelledAmount, NOK(2500));
    assert.equal(reservedAmount(status), 0);
    assert.equal(isReserved(status), false);
    const error = await failure(rig.client.capture(reference, NOK(2500)));
    assert.ok(isApiError(error, 400, ERROR_CODES.captureAfterCancel), String(error));
    assert.equal(captureTries(reference).length, 1);
  });
});
