// SHA-256 against the FIPS 180-4 example vectors (and a multi-block, non-ASCII input).
import assert from 'node:assert/strict';
import { sha256Hex } from 'hash/sha256';

describe('sha256', () => {
  it('matches the standard vectors', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    assert.equal(sha256Hex('a'.repeat(1000)), '41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
    // UTF-8: "blåbær" is 8 bytes.
    assert.equal(sha256Hex('blåbær'), '6f1a4baa8c1c7537ba678df617a5e9256abcacb1056256b2e6f7d91c983ac531');
  });
});
