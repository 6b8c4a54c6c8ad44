// Messages down from the fleet: only a correctly signed, fresh, first-seen message for this topic
// is used; every refusal says why.
import assert from 'node:assert/strict';
import { DownVerifier, keyFromHex, MAX_NONCES, sign } from 'fleet/signed-message';

const KEY_HEX = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const key = keyFromHex(KEY_HEX)!;
const topic = 'vend/m1/down/ack';
const NOW = 1_800_000_000;

function envelope(fields: Record<string, unknown>, options: { topic?: string; key?: number[] } = {}): string {
  const m = JSON.stringify({ v: 1, t: NOW, n: '0123456789abcdef', ...fields });
  return JSON.stringify({ m, s: sign(options.key ?? key, options.topic ?? topic, m) });
}

describe('fleet: signed messages down', () => {
  it('reads a key of 64 hex digits only', () => {
    assert.equal(key.length, 32);
    assert.equal(keyFromHex('abc'), undefined);
    assert.equal(keyFromHex('z'.repeat(64)), undefined);
  });

  it('accepts a signed, fresh message once', () => {
    const verifier = new DownVerifier(key);
    const payload = envelope({ seq: [1, 2] });
    const first = verifier.verify(topic, payload, NOW + 5);
    assert.equal(first.ok, true);
    assert.deepEqual(first.ok && first.message.seq, [1, 2]);
    assert.deepEqual(verifier.verify(topic, payload, NOW + 6), { ok: false, why: 'replayed' });
  });

  it('refuses what is not signed by this key, for this topic, now', () => {
    const verifier = new DownVerifier(key);
    const other = keyFromHex('f'.repeat(64))!;
    const cases: [string, string, number | undefined, string][] = [
      ['not json', '{', NOW, 'not JSON'],
      ['unsigned', JSON.stringify({ v: 1, seq: [1] }), NOW, 'unsigned'],
      ['another key', envelope({ seq: [1] }, { key: other }), NOW, 'wrong signature'],
      ['another topic', envelope({ seq: [1] }, { topic: 'vend/m2/down/ack' }), NOW, 'wrong signature'],
      ['stale', envelope({ seq: [1], n: '1111111111111111' }), NOW + 61, 'stale (61 s)'],
      ['from the future', envelope({ seq: [1], n: '2222222222222222' }), NOW - 61, 'stale (-61 s)'],
      ['clock not set', envelope({ seq: [1], n: '3333333333333333' }), undefined, 'clock not set'],
      ['version 2', envelope({ v: 2, n: '4444444444444444' }), NOW, 'version 2'],
      ['no nonce', envelope({ n: 'xyz' }), NOW, 'no time or nonce'],
    ];
    for (const [name, payload, now, why] of cases) assert.deepEqual(verifier.verify(topic, payload, now), { ok: false, why }, name);
    // A message changed after signing.
    const changed = JSON.parse(envelope({ seq: [1], n: '5555555555555555' })) as { m: string; s: string };
    changed.m = changed.m.replace('[1]', '[9]');
    assert.deepEqual(verifier.verify(topic, JSON.stringify(changed), NOW), { ok: false, why: 'wrong signature' });
  });

  it('refuses more messages than it can remember nonces for, and takes them again once the old ones are forgotten', () => {
    const verifier = new DownVerifier(key);
    const nonce = (i: number) => i.toString(16).padStart(16, '0');
    for (let i = 0; i < MAX_NONCES; i++) assert.equal(verifier.verify(topic, envelope({ n: nonce(i) }), NOW).ok, true);
    assert.deepEqual(verifier.verify(topic, envelope({ n: nonce(MAX_NONCES) }), NOW), { ok: false, why: 'too many messages' });
    const later = NOW + 121;
    const fresh = JSON.stringify((() => { const m = JSON.stringify({ v: 1, t: later, n: nonce(MAX_NONCES) }); return { m, s: sign(key, topic, m) }; })());
    assert.equal(verifier.verify(topic, fresh, later).ok, true);
  });
});
