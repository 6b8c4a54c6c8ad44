// What the pixel loop drew, read back from the framebuffer by a real QR decoder (jsQR).
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { drawQr, largestVersionThatFits } from 'qr/draw';
import { encode } from 'qr/encode';
import { QrError } from 'qr/matrix';
import { PixelFormat } from 'qr/pixel-sink';
import { utf8Bytes } from 'qr/utf8';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { makeText, random, utf8Length, type Alphabet } from '../support/text-corpus';

const MIN_SCALE = 2;
const MAX_VERSION = largestVersionThatFits(PAYMENT_QR_BOX, MIN_SCALE);

/** The most UTF-8 bytes that still fit the payment box at scale >= 2, found by the encoder itself. */
function largestByteLength(): number {
  let low = 1;
  let high = 4000;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    try {
      encode('x'.repeat(middle), MAX_VERSION);
      low = middle;
    } catch (error) {
      if (!(error instanceof QrError)) throw error;
      high = middle - 1;
    }
  }
  return low;
}

function drawAndDecode(text: string, pixelFormat: number) {
  const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT, pixelFormat);
  framebuffer.fill(0x2104);
  const placement = drawQr(framebuffer, encode(text, MAX_VERSION), PAYMENT_QR_BOX);
  const decoded = jsQR(framebuffer.toRgba(), SCREEN_WIDTH, SCREEN_HEIGHT, { inversionAttempts: 'dontInvert' });
  return { decoded, placement };
}

describe('QR read back from the display', function () {
  this.timeout(120_000);
  const maxBytes = largestByteLength();

  it('fits hundreds of bytes at scale 2 in the payment box', () => {
    assert.equal(MAX_VERSION, 18);
    assert.ok(maxBytes > 500, `only ${maxBytes} bytes fit`);
    const { placement } = drawAndDecode('x'.repeat(maxBytes), PixelFormat.RGB565LE);
    assert.equal(placement.scale, MIN_SCALE);
  });

  const alphabets: Alphabet[] = ['ascii', 'nordic', 'emoji', 'mixed'];
  const next = random(20261126);
  // Lengths spread from 1 byte to the largest that fits, both ends included, in both byte orders.
  const cases = Array.from({ length: 240 }, (_, i) => ({
    alphabet: alphabets[i % alphabets.length],
    format: i % 2 === 0 ? PixelFormat.RGB565LE : PixelFormat.RGB565BE,
    fraction: i < 4 ? 0 : i < 8 ? 1 : next(),
  }));

  it('decodes to the input text for 240 generated inputs, ASCII to emoji, 1 byte to the largest', () => {
    const failures: string[] = [];
    const lengths: number[] = [];
    cases.forEach(({ alphabet, format, fraction }, index) => {
      const text = makeText(next, alphabet, Math.round(1 + fraction * (maxBytes - 1)));
      lengths.push(utf8Length(text));
      const { decoded } = drawAndDecode(text, format);
      if (!decoded) {
        failures.push(`#${index} (${alphabet}, ${utf8Length(text)} bytes, format ${format}): not found`);
      } else if (decoded.data !== text || decoded.binaryData.join() !== utf8Bytes(text).join()) {
        failures.push(`#${index} (${alphabet}): decoded ${JSON.stringify(decoded.data.slice(0, 40))} for ${JSON.stringify(text.slice(0, 40))}`);
      }
    });
    assert.deepEqual(failures, []);
    assert.equal(Math.min(...lengths), 1);
    assert.ok(Math.max(...lengths) >= maxBytes - 3, `longest input ${Math.max(...lengths)} of ${maxBytes}`);
  });
});
