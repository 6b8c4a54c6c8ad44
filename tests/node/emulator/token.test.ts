import assert from 'node:assert/strict';
import { DEFAULT_CREDENTIALS, credentialsFromEnv, startEmulator } from '../../../tools/emulator/index';
import { ApiClient, assertProblem, json, newReference, useEmulator } from './helpers';

describe('emulator: access token', () => {
  const context = useEmulator();

  it('issues a Bearer token for the right client_id, client_secret, subscription key and MSN', async () => {
    const before = Math.floor(context.emulator.now() / 1000);
    const answer = await context.client.fetchToken();
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    const body = json(answer);
    assert.equal(body.token_type, 'Bearer');
    // The service sends these numbers as strings.
    assert.equal(body.expires_in, '3600');
    assert.equal(typeof body.expires_on, 'string');
    assert.ok(Number(body.expires_on) >= before + 3600 && Number(body.expires_on) <= before + 3601);
    assert.ok((body.access_token as string).length > 1000, 'real tokens are over 1000 characters');
    assert.match(body.access_token as string, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('accepts the empty body with Content-Type: application/json that real clients send, and no body at all', async () => {
    assert.equal((await context.client.fetchToken({ 'Content-Type': 'application/json' })).status, 200);
    const { credentials } = context.emulator;
    const bare = await context.client.send('POST', '/accesstoken/get', undefined, {
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      'Ocp-Apim-Subscription-Key': credentials.subscriptionKey,
      'Merchant-Serial-Number': credentials.merchantSerialNumber,
    });
    assert.equal(bare.status, 200);
    const recorded = context.emulator.requests().filter((r) => r.route === 'POST /accesstoken/get');
    assert.equal(recorded.length, 2);
    for (const r of recorded) assert.deepEqual(r.validationErrors, []);
  });

  it('accepts a missing or empty Merchant-Serial-Number (optional on the token call)', async () => {
    assert.equal((await context.client.fetchToken({ 'Merchant-Serial-Number': '' })).status, 200);
    const { credentials } = context.emulator;
    const answer = await context.client.send('POST', '/accesstoken/get', '', { client_id: credentials.clientId, client_secret: credentials.clientSecret, 'Ocp-Apim-Subscription-Key': credentials.subscriptionKey });
    assert.equal(answer.status, 200);
  });

  for (const [what, headers] of [
    ['a wrong client_secret', { client_secret: 'nope' }],
    ['a wrong client_id', { client_id: 'nope' }],
    ['a wrong subscription key', { 'Ocp-Apim-Subscription-Key': 'nope' }],
    ['a missing subscription key', { 'Ocp-Apim-Subscription-Key': '' }],
    ['another MSN', { 'Merchant-Serial-Number': '999999' }],
  ] as const) {
    it(`answers 401 problem+json for ${what}`, async () => {
      const answer = await context.client.fetchToken(headers);
      assertProblem(answer, 401);
      assert.equal(context.client.token, '');
    });
  }

  it('answers 401 for a missing, malformed, unknown or expired token on the ePayment API', async () => {
    const { client, emulator } = context;
    await client.fetchToken();
    const reference = newReference();
    assertProblem(await client.get(reference, { Authorization: '' }), 401);
    assertProblem(await client.get(reference, { Authorization: `Basic ${client.token}` }), 401);
    assertProblem(await client.get(reference, { Authorization: 'Bearer not-a-token' }), 401);
    assertProblem(await client.get(reference), 404, '5090');
    // The token lives an hour on the emulator clock.
    emulator.advanceClock(3599);
    assertProblem(await client.get(reference), 404);
    emulator.advanceClock(1);
    const expired = await client.get(reference);
    assertProblem(expired, 401);
    assert.match(json(expired).detail as string, /expired/);
    // A new token works again.
    assert.equal((await client.fetchToken()).status, 200);
    assertProblem(await client.get(reference), 404);
  });

  it('takes the word Bearer in any case, as HTTP auth schemes are case-insensitive', async () => {
    await context.client.fetchToken();
    assertProblem(await context.client.get(newReference(), { Authorization: `bearer ${context.client.token}` }), 404, '5090');
  });
});

describe('emulator: token lifetime and credentials', () => {
  it('uses the configured token lifetime', async () => {
    const emulator = await startEmulator({ tokenLifetimeSeconds: 60 });
    try {
      const client = new ApiClient(emulator);
      const answer = await client.fetchToken();
      assert.equal(json(answer).expires_in, '60');
      emulator.advanceClock(61);
      assertProblem(await client.get(newReference()), 401);
      assert.deepEqual(emulator.responseValidationErrors(), []);
    } finally {
      await emulator.close();
    }
  });

  it('reads credentials from the environment over the documented defaults', () => {
    assert.deepEqual(credentialsFromEnv({}), DEFAULT_CREDENTIALS);
    assert.deepEqual(DEFAULT_CREDENTIALS, { clientId: 'emulator-client-id', clientSecret: 'emulator-client-secret', subscriptionKey: 'emulator-subscription-key', merchantSerialNumber: '123456' });
    assert.deepEqual(credentialsFromEnv({ EPAYMENT_CLIENT_ID: 'id', EPAYMENT_CLIENT_SECRET: 'secret', EPAYMENT_SUBSCRIPTION_KEY: 'key', EPAYMENT_MSN: '' }), {
      clientId: 'id',
      clientSecret: 'secret',
      subscriptionKey: 'key',
      merchantSerialNumber: '123456',
    });
  });

  it('accepts the credentials it was started with and no others', async () => {
    const emulator = await startEmulator({ credentials: { clientSecret: 'other-secret', merchantSerialNumber: '7654321' } });
    try {
      assert.equal(emulator.credentials.clientId, DEFAULT_CREDENTIALS.clientId);
      const client = new ApiClient(emulator);
      assert.equal((await client.fetchToken()).status, 200);
      assertProblem(await client.fetchToken({ client_secret: DEFAULT_CREDENTIALS.clientSecret }), 401);
      // An ePayment call for another sales unit is refused.
      assertProblem(await client.get(newReference(), { 'Merchant-Serial-Number': '123456' }), 403);
    } finally {
      await emulator.close();
    }
  });
});
