// SHA-256 against the FIPS 180-4 example vectors (and a multi-block, non-ASCII input).
import assert from 'node:assert/strict';
import { hmacSha256Hex, sha256Hex } from 'hash/sha256';

describe('sha256', () => {
  it('matches the standard vectors', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    assert.equal(sha256Hex('a'.repeat(1000)), '41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
    // UTF-8: "blåbær" is 8 bytes.
    assert.equal(sha256Hex('blåbær'), '6f1a4baa8c1c7537ba678df617a5e9256abcacb1056256b2e6f7d91c983ac531');
  });

  it('HMAC-SHA256 matches RFC 4231 test cases 1, 2 and 6 (a key longer than the block is hashed first)', () => {
    const repeat = (byte: number, count: number) => new Array<number>(count).fill(byte);
    assert.equal(hmacSha256Hex(repeat(0x0b, 20), 'Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    assert.equal(hmacSha256Hex([0x4a, 0x65, 0x66, 0x65], 'what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    assert.equal(hmacSha256Hex(repeat(0xaa, 131), 'Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });
});
