import assert from 'node:assert/strict';
import { encode } from 'qr/encode';
import { QrError, versionOfSize } from 'qr/matrix';
import { utf8Bytes } from 'qr/utf8';

describe('qr/utf8', () => {
  it('encodes ASCII, Nordic letters, emoji and lone surrogates as TextEncoder does', () => {
    assert.deepEqual(utf8Bytes('Az0'), [0x41, 0x7a, 0x30]);
    assert.deepEqual(utf8Bytes('æøå'), [0xc3, 0xa6, 0xc3, 0xb8, 0xc3, 0xa5]);
    assert.deepEqual(utf8Bytes('ä€'), [0xc3, 0xa4, 0xe2, 0x82, 0xac]);
    assert.deepEqual(utf8Bytes('😀'), [0xf0, 0x9f, 0x98, 0x80]);
    assert.deepEqual(utf8Bytes('a\ud800b'), [0x61, 0xef, 0xbf, 0xbd, 0x62]);
  });
});

describe('qr/encode', () => {
  it('gives a square matrix of 0/1 modules with the three finder patterns', () => {
    const { size, modules } = encode('https://qr.vipps.no/28/2/05/031/4795xx?v');
    assert.equal(modules.length, size * size);
    assert.ok(modules.every((module) => module === 0 || module === 1));
    assert.equal(Number.isInteger(versionOfSize(size)), true);
    // A finder pattern: a dark 7x7 ring around a light ring around a dark 3x3 core.
    const finderAt = (left: number, top: number) => {
      for (let y = 0; y < 7; y++) {
        for (let x = 0; x < 7; x++) {
          const ring = Math.max(Math.abs(x - 3), Math.abs(y - 3));
          assert.equal(modules[(top + y) * size + left + x], ring === 2 ? 0 : 1, `finder at ${left},${top} module ${x},${y}`);
        }
      }
    };
    finderAt(0, 0);
    finderAt(size - 7, 0);
    finderAt(0, size - 7);
  });

  it('grows the version with the text and stays within maxVersion', () => {
    const short = encode('x');
    const long = encode('x'.repeat(300));
    assert.equal(versionOfSize(short.size), 1);
    assert.ok(long.size > short.size);
    assert.throws(() => encode('x'.repeat(300), 5), (error: unknown) => error instanceof QrError && error.reason === 'too-long');
  });

  it('refuses empty text and text beyond version 40 with a clear QrError', () => {
    assert.throws(() => encode(''), (error: unknown) => error instanceof QrError && error.reason === 'empty' && /empty/.test(error.message));
    assert.throws(() => encode('y'.repeat(2400)), (error: unknown) => error instanceof QrError && error.reason === 'too-long' && /2400 bytes/.test(error.message));
  });

  it('is deterministic', () => {
    const text = 'Kjøp 2 × brus 🥤';
    assert.deepEqual(encode(text).modules, encode(text).modules);
  });
});
