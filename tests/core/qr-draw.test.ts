import assert from 'node:assert/strict';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { drawQr, largestVersionThatFits, placeQr, QUIET_ZONE } from 'qr/draw';
import { encode } from 'qr/encode';
import { QrError, type QrMatrix } from 'qr/matrix';
import { PixelFormat } from 'qr/pixel-sink';
import { PAYMENT_QR_BOX } from 'app/layout';
import { RecordingSink } from '../support/recording-sink';

const URL_86 = 'https://qr.vipps.no/28/2/05/031/4795xxxxxxxxxxxxxxxxxxxxxx?v=1&ref=2486791679658155992';
const SENTINEL = 0x07e0;

function expectQrAt(framebuffer: Framebuffer, matrix: QrMatrix, placement: { x: number; y: number; scale: number; side: number }, dark = 0x0000, light = 0xffff) {
  const { x, y, scale, side } = placement;
  for (let py = 0; py < side; py++) {
    const my = Math.floor(py / scale) - QUIET_ZONE;
    for (let px = 0; px < side; px++) {
      const mx = Math.floor(px / scale) - QUIET_ZONE;
      const inside = mx >= 0 && my >= 0 && mx < matrix.size && my < matrix.size;
      const want = inside && matrix.modules[my * matrix.size + mx] === 1 ? dark : light;
      const got = framebuffer.pixel(x + px, y + py);
      if (got !== want) assert.fail(`pixel ${px},${py} of the QR is ${got.toString(16)}, want ${want.toString(16)}`);
    }
  }
}

function expectUntouchedOutside(framebuffer: Framebuffer, placement: { x: number; y: number; side: number }) {
  for (let y = 0; y < framebuffer.height; y++) {
    for (let x = 0; x < framebuffer.width; x++) {
      const inside = x >= placement.x && x < placement.x + placement.side && y >= placement.y && y < placement.y + placement.side;
      if (!inside && framebuffer.pixel(x, y) !== SENTINEL) assert.fail(`pixel ${x},${y} outside the QR was written`);
    }
  }
}

describe('qr/draw placement', () => {
  it('puts the 86-character URL at version 6, scale 4, centred in the payment box', () => {
    const matrix = encode(URL_86);
    assert.equal(matrix.size, 41);
    const placement = placeQr(matrix.size, PAYMENT_QR_BOX);
    assert.equal(placement.scale, 4);
    assert.equal(placement.side, 49 * 4);
    // The payment box is exactly a version-6 QR at 4 px a module, quiet zone included.
    assert.equal(placement.x, PAYMENT_QR_BOX.x);
    assert.equal(placement.y, PAYMENT_QR_BOX.y);
    assert.equal(PAYMENT_QR_BOX.width, 196);
  });

  it('uses the largest integer scale, and centres odd leftovers consistently', () => {
    assert.equal(placeQr(21, { x: 0, y: 0, width: 29, height: 29 }).scale, 1);
    assert.equal(placeQr(21, { x: 0, y: 0, width: 87, height: 200 }).scale, 3);
    const odd = placeQr(21, { x: 10, y: 20, width: 60, height: 30 });
    assert.deepEqual(odd, { x: 10 + 15, y: 20, side: 29, scale: 1 });
  });

  it('refuses a QR that does not fit, naming the sizes', () => {
    assert.throws(() => placeQr(25, { x: 0, y: 0, width: 32, height: 100 }), (error: unknown) => error instanceof QrError && error.reason === 'does-not-fit' && /33 pixels/.test(error.message));
  });

  it('knows the largest version for a box and a minimum scale', () => {
    assert.equal(largestVersionThatFits(PAYMENT_QR_BOX, 2), 18);
    assert.equal(largestVersionThatFits(PAYMENT_QR_BOX, 4), 6);
    assert.equal(largestVersionThatFits({ x: 0, y: 0, width: 2000, height: 2000 }, 1), 40);
  });
});

describe('qr/draw pixels', () => {
  for (const format of [PixelFormat.RGB565LE, PixelFormat.RGB565BE]) {
    it(`draws every module, the quiet zone and nothing else (format ${format})`, () => {
      const framebuffer = new Framebuffer(240, 320, format);
      framebuffer.fill(SENTINEL);
      const matrix = encode(URL_86);
      const placement = drawQr(framebuffer, matrix, PAYMENT_QR_BOX);
      expectQrAt(framebuffer, matrix, placement);
      expectUntouchedOutside(framebuffer, placement);
      assert.equal(framebuffer.bytesSent, placement.side * placement.side * 2);
      assert.equal(framebuffer.frames, 1);
    });
  }

  it('lays out the bytes of each pixel in the sink’s byte order', () => {
    const matrix = encode('byte order');
    const box = { x: 0, y: 0, width: 100, height: 100 };
    const colors = { dark: 0x1234, light: 0xabcd };
    const little = new Framebuffer(100, 100, PixelFormat.RGB565LE);
    const big = new Framebuffer(100, 100, PixelFormat.RGB565BE);
    drawQr(little, matrix, box, colors);
    drawQr(big, matrix, box, colors);
    // Top-left pixel is quiet zone (light); the first finder module is dark.
    const { x, y, scale } = placeQr(matrix.size, box);
    const lightAt = (y * 100 + x) * 2;
    const darkAt = ((y + QUIET_ZONE * scale) * 100 + x + QUIET_ZONE * scale) * 2;
    assert.deepEqual([little.bytes[lightAt], little.bytes[lightAt + 1]], [0xcd, 0xab]);
    assert.deepEqual([big.bytes[lightAt], big.bytes[lightAt + 1]], [0xab, 0xcd]);
    assert.deepEqual([little.bytes[darkAt], little.bytes[darkAt + 1]], [0x34, 0x12]);
    assert.deepEqual([big.bytes[darkAt], big.bytes[darkAt + 1]], [0x12, 0x34]);
    expectQrAt(little, matrix, placeQr(matrix.size, box), 0x1234, 0xabcd);
    expectQrAt(big, matrix, placeQr(matrix.size, box), 0x1234, 0xabcd);
  });

  it('sends one scanline per pixel row from two alternating buffers, each module row built once', () => {
    const sink = new RecordingSink();
    const matrix = encode(URL_86);
    const { x, y, side, scale } = drawQr(sink, matrix, PAYMENT_QR_BOX);
    assert.equal(sink.calls[0], `begin ${x} ${y} ${side} ${side}`);
    assert.equal(sink.calls.at(-1), 'end');
    assert.equal(sink.sends.length, side);
    const buffers = new Set(sink.sends.map((send) => send.buffer));
    assert.equal(buffers.size, 2);
    for (let row = 0; row < side; row++) {
      const send = sink.sends[row];
      assert.equal(send.offset, 0);
      assert.equal(send.byteLength, side * 2);
      // The top and bottom quiet zones are one scanline each; every symbol row is its own.
      const quiet = QUIET_ZONE * scale;
      const lineStart = row < quiet ? 0 : row >= side - quiet ? side - quiet : row - ((row - quiet) % scale);
      const first = sink.sends[lineStart];
      assert.equal(send.buffer, first.buffer);
      assert.deepEqual(send.copy, first.copy);
      if (row === lineStart && row > 0) assert.notEqual(send.buffer, sink.sends[row - 1].buffer);
    }
  });

  it('refuses an unknown pixel format and a box off the display', () => {
    const matrix = encode('x');
    assert.throws(() => drawQr(new RecordingSink(240, 320, 9), matrix, PAYMENT_QR_BOX), /unsupported pixel format 9/);
    assert.throws(() => drawQr(new RecordingSink(), matrix, { x: 200, y: 0, width: 100, height: 100 }), RangeError);
  });
});
