// The pixel loop that puts a QR matrix on the display. Each module row becomes one RGB565 scanline,
// built with native fills over runs of dark modules, and sent `scale` times; only the QR's own
// square (quiet zone included) is sent. Scanlines alternate between two buffers so that a display
// driver may still be reading the previous one while the next is built.
import { MAX_VERSION, QrError, type QrMatrix } from 'qr/matrix';
import { PixelFormat, type Box, type PixelSink } from 'qr/pixel-sink';

/** ISO/IEC 18004 asks for a light margin of 4 modules around the symbol. */
export const QUIET_ZONE = 4;

export interface QrPlacement {
  /** Top-left corner of the drawn square, quiet zone included, in display pixels. */
  readonly x: number;
  readonly y: number;
  /** Side of the drawn square in pixels: (size + 2 * QUIET_ZONE) * scale. */
  readonly side: number;
  /** Pixels per module. */
  readonly scale: number;
}

export interface QrColors { dark: number; light: number }
const BLACK_ON_WHITE: QrColors = Object.freeze({ dark: 0x0000, light: 0xffff });

/** The largest integer scale at which the QR and its quiet zone fit the box, centred in it. */
export function placeQr(size: number, box: Box): QrPlacement {
  const modulesWithQuiet = size + 2 * QUIET_ZONE;
  const scale = Math.floor(Math.min(box.width, box.height) / modulesWithQuiet);
  if (scale < 1) {
    throw new QrError('does-not-fit', `a ${size}-module QR needs ${modulesWithQuiet} pixels with its quiet zone; the box is ${box.width}x${box.height}`);
  }
  const side = modulesWithQuiet * scale;
  return {
    x: box.x + ((box.width - side) >> 1),
    y: box.y + ((box.height - side) >> 1),
    side,
    scale,
  };
}

/** The highest QR version whose symbol, quiet zone included, fits the box at `minScale` pixels a module. */
export function largestVersionThatFits(box: Box, minScale = 1): number {
  const size = Math.floor(Math.min(box.width, box.height) / minScale) - 2 * QUIET_ZONE;
  return Math.min(MAX_VERSION, Math.floor((size - 17) / 4));
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The 16-bit value that, stored in a Uint16Array on this host, lays out the pixel's bytes in the sink's order. */
function storedPixel(color: number, pixelFormat: number): number {
  const wantLittleEndian = pixelFormat === PixelFormat.RGB565LE;
  if (!wantLittleEndian && pixelFormat !== PixelFormat.RGB565BE) {
    throw new Error(`unsupported pixel format ${pixelFormat}: the QR is drawn as RGB565LE (7) or RGB565BE (8)`);
  }
  return wantLittleEndian === littleEndianHost ? color & 0xffff : ((color & 0xff) << 8) | ((color >> 8) & 0xff);
}

function checkInside(sink: PixelSink, box: Box): void {
  if (box.x < 0 || box.y < 0 || box.x + box.width > sink.width || box.y + box.height > sink.height) {
    throw new RangeError(`box ${box.width}x${box.height} at ${box.x},${box.y} is outside the ${sink.width}x${sink.height} display`);
  }
}

/** Draws the matrix centred in the box at the largest scale that fits; returns where it went. */
export function drawQr(sink: PixelSink, matrix: QrMatrix, box: Box, colors: QrColors = BLACK_ON_WHITE): QrPlacement {
  checkInside(sink, box);
  const placement = placeQr(matrix.size, box);
  const { side, scale } = placement;
  const dark = storedPixel(colors.dark, sink.pixelFormat);
  const light = storedPixel(colors.light, sink.pixelFormat);
  const buffers = [new ArrayBuffer(side * 2), new ArrayBuffer(side * 2)];
  const rows = [new Uint16Array(buffers[0]), new Uint16Array(buffers[1])];
  const byteLength = side * 2;
  const quietPixels = QUIET_ZONE * scale;
  const symbolEnd = side - quietPixels;
  const { size, modules } = matrix;

  sink.begin(placement.x, placement.y, side, side);

  // Both buffers start light, quiet margins included; afterwards only the symbol's columns change.
  rows[0].fill(light);
  rows[1].fill(light);
  for (let i = 0; i < quietPixels; i++) sink.send(buffers[0], 0, byteLength);

  // The matrix as one string of '0' and '1': the XS engine meters a typed-array search per
  // element but a string search per call, so runs are found with String indexOf. `start` walks
  // the whole matrix from one dark module to the next, so a row with no dark module left hands
  // the search on to the following row instead of scanning it again. The trailing light sentinel
  // means a dark run always has an end.
  const bits = modules.join('') + '0';
  let start = bits.indexOf('1');
  let next = 0;
  for (let rowStart = 0, rowEnd = size; rowStart < modules.length; rowStart = rowEnd, rowEnd += size) {
    next ^= 1;
    const row = rows[next];
    row.fill(light, quietPixels, symbolEnd);
    const shift = quietPixels - rowStart * scale;
    while (start < rowEnd && start >= 0) {
      let end = bits.indexOf('0', start);
      if (end > rowEnd) end = rowEnd;
      row.fill(dark, start * scale + shift, end * scale + shift);
      start = bits.indexOf('1', end);
    }
    const buffer = buffers[next];
    for (let i = 0; i < scale; i++) sink.send(buffer, 0, byteLength);
  }

  next ^= 1;
  rows[next].fill(light, quietPixels, symbolEnd);
  for (let i = 0; i < quietPixels; i++) sink.send(buffers[next], 0, byteLength);

  sink.end();
  return placement;
}
