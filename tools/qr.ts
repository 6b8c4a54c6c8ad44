// `npm run qr -- "<text>" [--out screen.png] [--big-endian]`: renders the payment screen's QR for a
// text on a 240x320 display through the device's pixel loop into a PNG, to check by eye and phone.
import { parseArgs } from 'node:util';
import { Framebuffer } from '../hosts/node/framebuffer';
import { writePng } from '../hosts/node/png';
import { drawQr, largestVersionThatFits } from 'qr/draw';
import { encode } from 'qr/encode';
import { QrError, versionOfSize } from 'qr/matrix';
import { PixelFormat } from 'qr/pixel-sink';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';

const usage = 'usage: npm run qr -- "<text>" [--out screen.png] [--big-endian]';
let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { out: { type: 'string', default: 'screen.png' }, 'big-endian': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } });
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help || positionals.length !== 1) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

const text = positionals[0];
const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT, values['big-endian'] ? PixelFormat.RGB565BE : PixelFormat.RGB565LE);
framebuffer.fill(0xffff);
try {
  const matrix = encode(text, largestVersionThatFits(PAYMENT_QR_BOX, 1));
  const placement = drawQr(framebuffer, matrix, PAYMENT_QR_BOX);
  writePng(framebuffer, values.out!);
  console.log(`${values.out}: version ${versionOfSize(matrix.size)} (${matrix.size} modules), scale ${placement.scale}, ${placement.side}x${placement.side} px at ${placement.x},${placement.y}`);
} catch (error) {
  if (!(error instanceof QrError)) throw error;
  console.error(`qr: ${error.message}`);
  process.exit(1);
}
