// "Are these test credentials against production?" is asked of the parsed host, not the exact
// string: a port, a trailing slash or another case is still production.
import assert from 'node:assert/strict';
import { baseUrlHost, isProductionBaseUrl } from 'epayment/base-url';

describe('epayment base URL host', () => {
  it('parses the host whatever the port, path, user info or case', () => {
    assert.equal(baseUrlHost('https://api.vipps.no'), 'api.vipps.no');
    assert.equal(baseUrlHost('https://API.Vipps.NO:443/'), 'api.vipps.no');
    assert.equal(baseUrlHost('HTTPS://user@api.vipps.no./epayment'), 'api.vipps.no');
    assert.equal(baseUrlHost('http://192.168.1.20:8443'), '192.168.1.20');
    assert.equal(baseUrlHost('not a url'), undefined);
    assert.equal(baseUrlHost('https://'), undefined);
  });

  it('counts every spelling of the production host as production, and nothing else', () => {
    for (const url of ['https://api.vipps.no', 'https://api.vipps.no:443', 'https://api.vipps.no/', 'https://API.VIPPS.NO', ' https://api.vipps.no:443/ ']) assert.equal(isProductionBaseUrl(url), true, url);
    for (const url of ['https://apitest.vipps.no', 'https://localhost:8443', 'https://api.vipps.no.example.com', undefined]) assert.equal(isProductionBaseUrl(url), false, String(url));
  });
});
