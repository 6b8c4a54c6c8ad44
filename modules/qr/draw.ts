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

// Looked up once: the XS engine meters every property lookup in the pixel loop.
const { clz32, imul } = Math;

// Four module bytes (each 0 or 1) read as one Uint32, shifted left by four and ORed with the next
// four: multiplying by this gathers the eight modules into the top byte, the first one highest.
// The other partial products land on distinct lower bits, so nothing carries into that byte.
const GATHER_EIGHT = littleEndianHost ? 0x08040201 : 0x01020408;

/** The matrix as one bit stream, 32 modules a word, the first in the top bit; bits past the end are 0. */
function packModules(modules: Uint8Array): Uint32Array {
  const count = modules.length;
  const fullWords = count >>> 5;
  // One word more than the modules fill, so that reading a row's last word never runs off the end.
  const packed = new Uint32Array(fullWords + 2);
  // Uint32 reads need an aligned start; a matrix that is a view at an odd offset is copied once.
  const bytes = (modules.byteOffset & 3) === 0 ? modules : modules.slice(0, fullWords << 5);
  const quads = new Uint32Array(bytes.buffer, bytes.byteOffset, fullWords << 3);
  for (let word = 0, quad = 0; word < fullWords; word++, quad += 8) {
    packed[word] = (imul((quads[quad] << 4) | quads[quad + 1], GATHER_EIGHT) & 0xff000000)
      | ((imul((quads[quad + 2] << 4) | quads[quad + 3], GATHER_EIGHT) >>> 8) & 0xff0000)
      | ((imul((quads[quad + 4] << 4) | quads[quad + 5], GATHER_EIGHT) >>> 16) & 0xff00)
      | (imul((quads[quad + 6] << 4) | quads[quad + 7], GATHER_EIGHT) >>> 24);
  }
  let tail = 0;
  for (let i = fullWords << 5; i < count; i++) tail |= modules[i] << (31 - (i & 31));
  packed[fullWords] = tail;
  return packed;
}

/** Draws the matrix centred in the box at the largest scale that fits; returns where it went. */
export function drawQr(sink: PixelSink, matrix: QrMatrix, box: Box, colors: QrColors = BLACK_ON_WHITE): QrPlacement {
  checkInside(sink, box);
  const placement = placeQr(matrix.size, box);
  const { side, scale } = placement;
  const dark = storedPixel(colors.dark, sink.pixelFormat);
  const light = storedPixel(colors.light, sink.pixelFormat);
  const byteLength = side * 2;
  const buffers = [new ArrayBuffer(byteLength), new ArrayBuffer(byteLength)];
  const rows = [new Uint16Array(buffers[0]), new Uint16Array(buffers[1])];
  const quietPixels = QUIET_ZONE * scale;
  const symbolEnd = side - quietPixels;
  const { size, modules } = matrix;

  sink.begin(placement.x, placement.y, side, side);

  // Both buffers start light, quiet margins included; afterwards only the symbol's columns change.
  rows[0].fill(light);
  rows[1].fill(light);
  for (let i = 0; i < quietPixels; i++) sink.send(buffers[0], 0, byteLength);

  // Each module row is read from the packed matrix 32 modules at a time, and Math.clz32 finds the
  // dark runs in each word: nothing is allocated per module or per row (a '0'/'1' string of the
  // matrix would cost the XS engine two heap slots a module). A run that crosses a word boundary
  // is filled in two parts, which gives the same pixels. The XS engine meters every bytecode, so
  // the loop is written to keep them few: variables hoisted, positions updated inside the calls.
  const packed = packModules(modules);
  const wordsPerRow = (size + 31) >>> 5;
  const lastWordMask = -1 << ((32 - (size & 31)) & 31); // keeps only the row's own modules
  const wordPixels = 32 * scale;
  let word = 0, pixel = 0, lead = 0, length = 0;
  let next = 0;
  for (let rowStart = 0; rowStart < modules.length; rowStart += size) {
    next ^= 1;
    const row = rows[next];
    row.fill(light, quietPixels, symbolEnd);
    // The row's modules start `shift` bits into stream word `at`: each row word joins two.
    let at = rowStart >>> 5;
    const shift = rowStart & 31;
    const rest = 31 - shift; // (x >>> 1) >>> rest is x >>> (32 - shift), and 0 when shift is 0
    for (let index = 1, wordStart = quietPixels; index <= wordsPerRow; index++, wordStart += wordPixels) {
      word = (packed[at] << shift) | ((packed[++at] >>> 1) >>> rest);
      if (index === wordsPerRow) word &= lastWordMask;
      pixel = wordStart;
      while (word) {
        pixel += (lead = clz32(word)) * scale; // skip the light modules before the run
        word <<= lead;
        row.fill(dark, pixel, pixel += (length = clz32(~word)) * scale);
        word = (word << (length - 1)) << 1; // two shifts: a run can be all 32 bits
      }
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
