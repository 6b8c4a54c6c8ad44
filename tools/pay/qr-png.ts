// The QR as the machine shows it: drawn by the device's pixel loop into a 240x320 in-memory screen,
// in the payment screen's box, saved as a PNG a phone can scan from a monitor.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { writePng } from '../../hosts/node/png';
import { drawQr } from 'qr/draw';
import type { QrMatrix } from 'qr/matrix';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';

export function drawQrScreen(matrix: QrMatrix): Framebuffer {
  const screen = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
  screen.fill(0xffff);
  drawQr(screen, matrix, PAYMENT_QR_BOX);
  return screen;
}

export function saveQrPng(matrix: QrMatrix, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writePng(drawQrScreen(matrix), path);
}
