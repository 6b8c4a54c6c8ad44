// The device encodes with the Moddable SDK's native qrcode module (Nayuki's C library); Node and XS
// use Nayuki's TypeScript. Both must give the same matrix for the same text. The C library comes
// with the XS sources in @agoric/xsnap (moddable/modules/data/qrcode), the same file the SDK ships.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import jsQR from 'jsqr';
import qrcodegen from 'nayuki-qr-code-generator';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { drawQr } from 'qr/draw';
import { encode } from 'qr/encode';
import { PixelFormat } from 'qr/pixel-sink';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { QrError } from 'qr/matrix';
import { utf8Bytes } from 'qr/utf8';
import { PARITY_TEXTS } from '../support/qr-fixtures';
import { makeText, random, type Alphabet } from '../support/text-corpus';
import { projectRoot } from '../support/xs';

function buildHarness(): string {
  const require = createRequire(join(projectRoot, 'package.json'));
  const qrcodeDir = join(dirname(require.resolve('@agoric/xsnap/package.json')), 'moddable/modules/data/qrcode');
  const outDir = join(projectRoot, 'node_modules/.cache/qrcodegen-harness');
  mkdirSync(outDir, { recursive: true });
  const binary = join(outDir, 'qrcodegen-harness');
  execFileSync('cc', ['-O2', '-I', join(projectRoot, 'tests/native'), '-I', qrcodeDir, '-o', binary, join(projectRoot, 'tests/native/qrcodegen-harness.c'), join(qrcodeDir, 'qrcodegen.c')]);
  return binary;
}

function nativeEncode(binary: string, texts: string[], maxVersion: number): string[] {
  const input = texts.map((text) => Buffer.from(utf8Bytes(text)).toString('hex')).join('\n') + '\n';
  return execFileSync(binary, [String(maxVersion)], { input, encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n');
}

function typescriptEncode(text: string, maxVersion: number, mask = -1): string {
  try {
    if (mask < 0) {
      const { size, modules } = encode(text, maxVersion);
      return `${size} ${modules.join('')}`;
    }
    const code = qrcodegen.QrCode.encodeSegments([qrcodegen.QrSegment.makeBytes(utf8Bytes(text))], qrcodegen.QrCode.Ecc.MEDIUM, 1, maxVersion, mask, true);
    let modules = '';
    for (let y = 0; y < code.size; y++) for (let x = 0; x < code.size; x++) modules += code.getModule(x, y) ? '1' : '0';
    return `${code.size} ${modules}`;
  } catch (error) {
    if (error instanceof QrError && error.reason === 'too-long') return 'too-long';
    throw error;
  }
}

function decodeMatrix(line: string): string | undefined {
  const [sizeText, bits] = line.split(' ');
  const size = Number(sizeText);
  const modules = Uint8Array.from(bits, (bit) => (bit === '1' ? 1 : 0));
  const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT, PixelFormat.RGB565LE);
  drawQr(framebuffer, { size, modules }, PAYMENT_QR_BOX);
  return jsQR(framebuffer.toRgba(), SCREEN_WIDTH, SCREEN_HEIGHT)?.data;
}

// The SDK bundles an older Nayuki C release whose mask-penalty scoring differs from the TypeScript
// 1.8.0 one, so for some texts the two pick different masks. Both are valid codes for the same data:
// with the mask fixed to the native choice, the TypeScript encoder gives the very same matrix.
describe('QR matrix: Nayuki TypeScript (Node, XS) against the SDK’s native C encoder (device)', function () {
  this.timeout(60_000);
  let binary: string;
  before(() => {
    binary = buildHarness();
  });

  it('encodes the same data, version and format: identical matrices once the mask is the same', () => {
    const next = random(4242);
    const alphabets: Alphabet[] = ['ascii', 'nordic', 'emoji', 'mixed'];
    const texts = [...PARITY_TEXTS, ...Array.from({ length: 300 }, (_, i) => makeText(next, alphabets[i % 4], 1 + Math.floor(next() * 900)))];
    const native = nativeEncode(binary, texts, 40);
    assert.equal(native.length, texts.length);
    let sameMask = 0;
    texts.forEach((text, i) => {
      const automatic = typescriptEncode(text, 40);
      if (automatic === native[i]) {
        sameMask++;
        return;
      }
      assert.equal(automatic.split(' ')[0], native[i].split(' ')[0], `text #${i}: versions differ`);
      const withNativeMask = [0, 1, 2, 3, 4, 5, 6, 7].some((mask) => typescriptEncode(text, 40, mask) === native[i]);
      assert.ok(withNativeMask, `text #${i} ${JSON.stringify(text.slice(0, 30))}: no mask reproduces the native matrix`);
    });
    // The bench URLs, which are what the machine shows, pick the same mask on both.
    for (let i = 0; i < 3; i++) assert.equal(typescriptEncode(texts[i], 40), native[i]);
    assert.ok(sameMask > texts.length / 2, `only ${sameMask} of ${texts.length} picked the same mask`);
  });

  it('draws native matrices that a decoder reads back as the text', () => {
    const texts = PARITY_TEXTS.filter((text) => text.length < 300);
    const native = nativeEncode(binary, texts, 40);
    assert.deepEqual(native.map(decodeMatrix), texts);
  });

  it('agrees on where maxVersion cuts off', () => {
    const texts = [60, 100, 106, 107, 200].map((n) => 'y'.repeat(n));
    const native = nativeEncode(binary, texts, 5).map((line) => (line === 'too-long' ? line : line.split(' ')[0]));
    assert.deepEqual(texts.map((text) => typescriptEncode(text, 5).split(' ')[0]), native);
    assert.ok(native.includes('too-long') && native.some((line) => line !== 'too-long'));
  });
});
