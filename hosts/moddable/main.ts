// Device and simulator entry. For now it shows the payment screen's QR for a sample payment URL
// and traces where it went, how long encoding and drawing took, and the matrix; the sale flow
// comes with later issues.
import type {} from 'commodetto/Poco';
import Time from 'time';
import { drawQr, largestVersionThatFits } from 'qr/draw';
import { PAYMENT_QR_BOX } from 'app/layout';
import { encodeNative } from 'hosts/moddable/qr-encode';

const SAMPLE_URL = 'https://qr.vipps.no/28/2/05/031/4795xxxxxxxxxxxxxxxxxxxxxx?v=1&ref=2486791679658155992';

// Clear the screen to white: one light scanline sent for every row.
const row = new Uint16Array(screen.width).fill(0xffff);
screen.begin(0, 0, screen.width, screen.height);
for (let y = 0; y < screen.height; y++) screen.send(row.buffer, 0, row.byteLength);
screen.end();

const encodeStart = Time.ticks;
const matrix = encodeNative(SAMPLE_URL, largestVersionThatFits(PAYMENT_QR_BOX, 2));
const drawStart = Time.ticks;
const placement = drawQr(screen, matrix, PAYMENT_QR_BOX);
const drawEnd = Time.ticks;
trace(`qr: ${matrix.size} modules, scale ${placement.scale}, at ${placement.x},${placement.y}, side ${placement.side}, format ${screen.pixelFormat}; encode ${drawStart - encodeStart} ms, draw ${drawEnd - drawStart} ms\n`);
// The matrix itself, for the simulator test to decode and compare with the TypeScript encoder.
trace(`qr-matrix: ${matrix.size} ${matrix.modules.join('')}\n`);
