// The access token over real sockets: renewed ahead of expiry, renewed on a 401 when the service
// says it expired mid-sale, shared by concurrent calls.
import assert from 'node:assert/strict';
import { NOK, assertAllValid, newReference, saleInput, startRig, type Rig } from './support';

const TOKEN = 'POST /accesstoken/get';

describe('epayment client against the emulator: access token', function () {
  this.timeout(20_000);
  let rig: Rig | undefined;

  afterEach(async () => {
    if (rig) {
      assertAllValid(rig.emulator);
      await rig.close();
    }
    rig = undefined;
  });

  it('token expiry mid-sale: the service answers 401, the client renews once and the sale goes on', async () => {
    rig = await startRig({ tokenLifetimeSeconds: 900 });
    const { client, emulator } = rig;
    const reference = newReference('midsale');
    await client.createPayment(saleInput(reference));
    emulator.approve(reference);
    emulator.advanceClock(901); // the token is dead at the service; the payment (10 min) lives on
    const captured = await client.capture(reference, NOK(2500));
    assert.deepEqual(captured.aggregate.capturedAmount, NOK(2500));
    const statuses = emulator.requests().filter((r) => r.path.endsWith('/capture')).map((r) => r.status);
    assert.deepEqual(statuses, [401, 200]);
    assert.equal(emulator.counters().requests[TOKEN], 2);
    assert.deepEqual(emulator.payment(reference)?.aggregate.capturedAmount, NOK(2500));
    assert.ok(rig.log.lines.some((line) => /401; renewing the access token/.test(line)));
  });

  it('renews ahead of expiry, before the service would refuse it', async () => {
    // 4 s: the service's expiry is in whole seconds, so a token may die up to 1 s early; the client stops using it 1 s early.
    rig = await startRig({ tokenLifetimeSeconds: 4 });
    const { client, emulator } = rig;
    await client.warmUp();
    assert.ok(client.tokenFreshForMs() <= 2_000);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // Inside the renewal window: the create goes out at once with the current token, and starts no renewal.
    await client.createPayment(saleInput(newReference('ahead')));
    assert.equal(emulator.counters().requests[TOKEN], 1);
    // The warm-up (the machine's timer) renews.
    await client.warmUp();
    assert.equal(emulator.counters().requests[TOKEN], 2);
    // Without one, past the token's usable end, a call renews in front of itself.
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    await client.createPayment(saleInput(newReference('ahead')));
    assert.equal(emulator.counters().requests[TOKEN], 3);
    assert.ok(emulator.requests().every((r) => r.status !== 401), 'no request went out with a dead token');
  });

  it('concurrent calls share one token request', async () => {
    rig = await startRig();
    const { client, emulator } = rig;
    const references = [1, 2, 3, 4].map(() => newReference('concurrent'));
    await Promise.all(references.map((reference) => client.createPayment(saleInput(reference))));
    assert.equal(emulator.counters().requests[TOKEN], 1);
    emulator.advanceClock(3_601);
    const statuses = await Promise.all(references.map((reference) => client.getPayment(reference)));
    assert.ok(statuses.every((s) => s.state === 'EXPIRED'));
    assert.equal(emulator.counters().requests[TOKEN], 2, 'four 401s, one renewal');
  });
});
