// The fleet's Vipps client against the emulator over HTTPS: one token for many calls, the merchant's
// headers on each, and a clear error when the keys are wrong or half set.
import assert from 'node:assert/strict';
import { emulatorVippsKeys } from '../../fleet/local-fleet';
import { VippsClient, vippsKeysFromEnv, type VippsKeys } from '../../fleet/vipps/client';
import { startEmulator } from '../../tools/emulator/index';
import type { Emulator } from '../../tools/emulator/index';

describe('fleet: the Vipps client', function () {
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator({ httpsPort: 0, seed: 3 });
  });
  after(() => emulator.close());

  const keys = (overrides: Partial<VippsKeys> = {}): VippsKeys => ({ ...emulatorVippsKeys(emulator, 'https'), ...overrides });

  it('fetches one token and reuses it for the calls after', async () => {
    emulator.resetCounters();
    const client = new VippsClient(keys());
    const first = await client.call('GET', '/epayment/v1/payments/not-ours-1');
    const second = await client.call('GET', '/epayment/v1/payments/not-ours-2');
    assert.deepEqual([first.status, second.status], [404, 404]);
    const tokens = emulator.requests().filter((r) => r.path === '/accesstoken/get');
    assert.equal(tokens.length, 1);
  });

  it('says so when the service refuses the keys', async () => {
    const client = new VippsClient(keys({ clientSecret: 'wrong' }));
    let error: Error | undefined;
    await client.call('GET', '/epayment/v1/payments/x').catch((e: Error) => { error = e; });
    assert.match(error?.message ?? '', /access token: HTTP 401/);
  });

  it('reads its keys from EPAYMENT_*, and names what is missing', () => {
    assert.equal(vippsKeysFromEnv({}), undefined);
    assert.throws(() => vippsKeysFromEnv({ EPAYMENT_BASE_URL: 'https://apitest.vipps.no', EPAYMENT_CLIENT_ID: 'a' }), /EPAYMENT_CLIENT_SECRET, EPAYMENT_SUBSCRIPTION_KEY, EPAYMENT_MSN are not/);
    const full = vippsKeysFromEnv({ EPAYMENT_BASE_URL: 'https://apitest.vipps.no', EPAYMENT_CLIENT_ID: 'a', EPAYMENT_CLIENT_SECRET: 'b', EPAYMENT_SUBSCRIPTION_KEY: 'c', EPAYMENT_MSN: '1' });
    assert.equal(full?.msn, '1');
  });
});
