// Secrets (client secret, subscription key, access tokens) never appear in a log line or an error
// message: a run full of failures over real sockets, then a scan of everything it produced.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { pollUntilFinal } from 'epayment/poll';
import { systemClock } from '../../../hosts/node/system-clock';
import { NOK, newReference, saleInput, startRig } from './support';

describe('epayment client against the emulator: secrets', function () {
  this.timeout(30_000);

  it('no secret in any log line or error, after token expiry, 401s, resets, 5xx, 429s and bad bodies', async () => {
    const rig = await startRig({ tokenLifetimeSeconds: 300, credentials: { clientSecret: 'S3cret-client-secret-0001', subscriptionKey: 'S3cret-subscription-key-0001' } });
    const { emulator } = rig;
    const errors: unknown[] = [];
    const attempt = async (call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (error) {
        errors.push(error);
      }
    };
    try {
      const { client } = rig.newClient({ retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50, rateLimitDelayMs: 10 } });
      const reference = newReference('secret');
      for (const kind of ['reset-before-headers', 'reset-after-headers', 'truncated-json', 'malformed-json', 'oversized-body'] as const) {
        emulator.injectFault({ route: '*', kind, times: 3 });
        await attempt(() => client.warmUp());
        await attempt(() => client.createPayment(saleInput(reference)));
        emulator.clearFaults();
      }
      await attempt(() => client.createPayment(saleInput(reference)));
      emulator.injectFault({ route: '*', kind: 'status', status: 500, times: 3 });
      await attempt(() => client.getPayment(reference));
      emulator.injectFault({ route: '*', kind: 'status', status: 429, times: 3 });
      await attempt(() => client.getPayment(reference));
      emulator.clearFaults();
      emulator.advanceClock(301); // token dead (5 min lifetime): 401, renewal
      emulator.approve(reference);
      await attempt(() => client.capture(reference, NOK(9999)));
      await attempt(() => client.capture(reference, NOK(2500)));
      await attempt(() => client.cancel(reference, { cancelTransactionOnly: true }));
      const poll = pollUntilFinal(client, newReference('ghost'), { clock: systemClock, firstDelayMs: 10 });
      await attempt(() => poll.result);
      const wrong = rig.newClient({ credentials: { ...emulator.credentials, clientSecret: 'S3cret-but-wrong-0002' } }).client;
      await attempt(() => wrong.warmUp());
      emulator.injectFault({ route: '*', kind: 'latency', delayMs: 1_500, times: 1 });
      await attempt(() => client.getPayment(reference, { attempts: 1 }));

      assert.ok(errors.length >= 8, `${errors.length} failures`);
      // Let the connection the last timeout destroyed leave Node's agent (it holds its request until then).
      await new Promise((resolve) => setTimeout(resolve, 50));
      const tokens = new Set(emulator.requests().map((r) => r.headers.authorization?.replace(/^Bearer /, '')).filter((t): t is string => !!t && t.length > 20));
      assert.ok(tokens.size >= 2, 'the run used at least two tokens');
      const secrets = ['S3cret-client-secret-0001', 'S3cret-subscription-key-0001', 'S3cret-but-wrong-0002', ...tokens];
      const produced = [...rig.log.lines, ...errors.map((e) => `${String(e)} ${JSON.stringify(e)} ${(e as Error).stack ?? ''}`), inspect(client, { depth: 6 }), JSON.stringify(client)];
      assert.ok(rig.log.lines.some((l) => l.startsWith('warn')), 'the run logged retries');
      for (const text of produced) {
        for (const secret of secrets) assert.ok(!text.includes(secret), `secret in: ${text.slice(0, 160)}`);
        assert.doesNotMatch(text, /S3cret/);
      }
    } finally {
      await rig.close();
    }
  });
});
