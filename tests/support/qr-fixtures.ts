// Inputs and a portable byte digest shared by the Node and XS sides of the parity test and the benchmark.
import { Framebuffer } from '../../hosts/node/framebuffer';
import { drawQr } from 'qr/draw';
import { encode } from 'qr/encode';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';

/** The benchmark's three payment-URL-like inputs (40, 86 and 150 characters), fixed so figures compare across changes. */
export const BENCH_URL_40 = 'https://qr.vipps.no/28/2/05/031/4795xx?v';
export const BENCH_URL_86 = 'https://qr.vipps.no/28/2/05/031/4795xxxxxxxxxxxxxxxxxxxxxx?v=1&ref=2486791679658155992';
export const BENCH_URL_150 = `${BENCH_URL_86}&msg=Thanks-for-your-purchase-order-number-000123456789&cur=NOK1`;
export const BENCH_URLS = [BENCH_URL_40, BENCH_URL_86, BENCH_URL_150];

export const PARITY_TEXTS = [
  ...BENCH_URLS,
  'a',
  'Brus 0,5 l – 35 kr',
  'Smørbrød på kjøkkenet, åpent',
  'Äpplen och öl, Grüße',
  '🥤🍫✅👍🏽🇳🇴',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 $%*+-./:',
  'x'.repeat(700),
];

/** FNV-1a, 32 bits: the same number on Node and XS for the same bytes. */
export function fnv1a(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** One line per text and format: sizes, placement and digests of the matrix and of the whole screen. */
export function drawingDigests(formats: number[]): string[] {
  const lines: string[] = [];
  for (const text of PARITY_TEXTS) {
    const matrix = encode(text);
    for (const format of formats) {
      const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT, format);
      const placement = drawQr(framebuffer, matrix, PAYMENT_QR_BOX);
      lines.push(`${text.length} ${format} ${matrix.size} ${placement.x},${placement.y},${placement.side},${placement.scale} ${fnv1a(matrix.modules)} ${fnv1a(framebuffer.bytes)} ${framebuffer.bytesSent}`);
    }
  }
  return lines;
}
