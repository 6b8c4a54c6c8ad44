// CRC-32 (IEEE) over UTF-8 against known vectors (the last ones from Node's zlib.crc32 over
// Buffer.from(text, 'utf8')), and the byte counting the store limits rely on.
import assert from 'node:assert/strict';
import { crc32, crc32Hex, crc32Update } from 'journal/crc32';
import { utf8Length } from 'journal/utf8-length';

describe('journal crc32', () => {
  it('matches the standard check value and other known vectors', () => {
    assert.equal(crc32('123456789'), 'cbf43926');
    assert.equal(crc32(''), '00000000');
    assert.equal(crc32('The quick brown fox jumps over the lazy dog'), '414fa339');
  });

  it('hashes the UTF-8 bytes of non-ASCII text, surrogate pairs as one code point, lone surrogates as U+FFFD', () => {
    assert.equal(crc32('æøå'), '30079a25');
    assert.equal(crc32('😀'), '054db544');
    assert.equal(crc32('a\u00e9\u20ac\ud83d\ude00z'), '44b439dd');
    assert.equal(crc32('\udc00'), '8b7233c9');
    assert.equal(crc32('\udc00'), crc32('\ufffd'));
  });

  it('continues over parts and ranges as over the whole text', () => {
    const whole = crc32Update(0, '123456789');
    assert.equal(crc32Update(crc32Update(0, '1234'), '56789'), whole);
    assert.equal(crc32Update(0, 'xx123456789yy', 2, 11), whole);
    assert.equal(crc32Hex(whole), 'cbf43926');
    assert.equal(crc32Hex(0x1f), '0000001f');
  });

  it('counts UTF-8 bytes without encoding', () => {
    assert.equal(utf8Length(''), 0);
    assert.equal(utf8Length('abc'), 3);
    assert.equal(utf8Length('æøå'), 6);
    assert.equal(utf8Length('€'), 3);
    assert.equal(utf8Length('😀'), 4);
    assert.equal(utf8Length('a\u00e9\u20ac\ud83d\ude00z'), 11);
    assert.equal(utf8Length('\udc00'), 3);
    assert.equal(utf8Length('\ud83d'), 3);
    assert.equal(utf8Length('x😀y', 1, 3), 4);
  });
});
