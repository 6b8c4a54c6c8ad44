// `npm run qr -- "<text>" [--out screen.png] [--big-endian]`: renders the payment screen's QR for a
// text on a 240x320 display through the device's pixel loop into a PNG, to check by eye and phone.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Framebuffer } from '../hosts/node/framebuffer';
import { writePng } from '../hosts/node/png';
import { drawQr, largestVersionThatFits } from 'qr/draw';
import { encode } from 'qr/encode';
import { QrError, versionOfSize } from 'qr/matrix';
import { PixelFormat } from 'qr/pixel-sink';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';

/** Under this many pixels per module a phone struggles to read the code off the display. */
const READABLE_SCALE = 2;

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

const text = positionals[0]!;
const out = values.out!;
// Say what is wrong with --out before drawing anything (no stack trace for a typo in a path).
const folder = dirname(resolve(out));
if (!existsSync(folder)) {
  console.error(`qr: cannot write ${out}: the folder ${dirname(out)} does not exist (create it, or pick another --out)`);
  process.exit(1);
}
if (!statSync(folder).isDirectory()) {
  console.error(`qr: cannot write ${out}: ${dirname(out)} is not a folder`);
  process.exit(1);
}

const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT, values['big-endian'] ? PixelFormat.RGB565BE : PixelFormat.RGB565LE);
framebuffer.fill(0xffff);
let line: string;
let scale: number;
try {
  const matrix = encode(text, largestVersionThatFits(PAYMENT_QR_BOX, 1));
  const placement = drawQr(framebuffer, matrix, PAYMENT_QR_BOX);
  scale = placement.scale;
  line = `${out}: version ${versionOfSize(matrix.size)} (${matrix.size} modules), scale ${placement.scale}, ${placement.side}x${placement.side} px at ${placement.x},${placement.y}`;
} catch (error) {
  if (!(error instanceof QrError)) throw error;
  console.error(`qr: ${error.message}`);
  process.exit(1);
}
try {
  writePng(framebuffer, out);
} catch (error) {
  console.error(`qr: cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  process.exit(1);
}
console.log(line);
if (scale < READABLE_SCALE) {
  console.error(`qr: warning: scale ${scale}: one pixel per module is hard for a phone to read off the display; shorten the text (${new TextEncoder().encode(text).length} bytes) so that it fits at scale ${READABLE_SCALE}`);
}
