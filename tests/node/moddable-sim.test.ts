// The firmware in the Moddable simulator (Moddable Two skin), where an SDK is installed: build
// with mcconfig, run headless under xvfb-run, and check what the device code did: the SDK's native
// encoder's matrix decodes to the URL once drawn, and it sits where the pixel loop says.
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { drawQr, placeQr } from 'qr/draw';
import { encode } from 'qr/encode';
import { PixelFormat } from 'qr/pixel-sink';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { buildForSimulator, runSimulator, skipWithoutModdable } from '../support/moddable';
import { BENCH_URL_86 } from '../support/qr-fixtures';
import { projectRoot } from '../support/xs';

describe('Moddable simulator (sim/moddable_two)', function () {
  this.timeout(180_000);
  let output = '';

  before(async function () {
    skipWithoutModdable(this, 'run the firmware in its simulator');
    // The app traces everything within its first second.
    output = await runSimulator(await buildForSimulator(projectRoot), 8);
  });

  it('draws the sample payment QR at version 6, scale 4, centred in the payment box, little-endian', () => {
    const line = output.match(/qr: (\d+) modules, scale (\d+), at (\d+),(\d+), side (\d+), format (\d+)/);
    assert.ok(line, `no qr trace in the simulator output:\n${output.slice(0, 2000)}`);
    const expected = placeQr(41, PAYMENT_QR_BOX);
    assert.deepEqual(line.slice(1).map(Number), [41, expected.scale, expected.x, expected.y, expected.side, PixelFormat.RGB565LE]);
  });

  it('encodes with the native module to a matrix that decodes to the URL and equals the TypeScript one', () => {
    const line = output.match(/qr-matrix: (\d+) ([01]+)/);
    assert.ok(line, 'no qr-matrix trace in the simulator output');
    const size = Number(line[1]);
    const modules = Uint8Array.from(line[2], (bit) => Number(bit));
    assert.deepEqual(modules, encode(BENCH_URL_86).modules);
    const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
    framebuffer.fill(0xffff);
    drawQr(framebuffer, { size, modules }, PAYMENT_QR_BOX);
    assert.equal(jsQR(framebuffer.toRgba(), SCREEN_WIDTH, SCREEN_HEIGHT)?.data, BENCH_URL_86);
  });
});
