import assert from 'node:assert/strict';
import { contentHash, signWebhook } from '../../../tools/emulator/webhooks/signer';

describe('emulator: the webhook signer', () => {
  it('reproduces the worked example of the Webhooks API guide (request authentication) exactly', () => {
    // Secret, URL, date and body as the guide gives them, and the values it says they evaluate to.
    const secret = 'A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==';
    const body = JSON.stringify({ 'some-unique-content': 'ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world' });
    const signed = signWebhook(secret, 'https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63', body, new Date('Thu, 30 Mar 2023 08:38:32 GMT'));
    assert.deepEqual(signed, {
      'x-ms-date': 'Thu, 30 Mar 2023 08:38:32 GMT',
      'x-ms-content-sha256': 'lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=',
      host: 'webhook.site',
      authorization: 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=',
    });
    assert.equal(contentHash(body), 'lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=');
  });

  it('signs the path with its query and the host with its port', () => {
    const a = signWebhook('s', 'http://127.0.0.1:8123/hooks?x=1', '{}', new Date(0));
    const b = signWebhook('s', 'http://127.0.0.1:8123/hooks', '{}', new Date(0));
    assert.equal(a.host, '127.0.0.1:8123');
    assert.notEqual(a.authorization, b.authorization);
  });
});
