// Real QR images of a payment's target URL, for qrFormat IMAGE/SVG+XML and IMAGE/PNG: what the
// service's QR image URL serves. Error correction M, a quiet zone of 4 modules as the standard asks.
import qrcodegen from 'nayuki-qr-code-generator';
import { PNG } from 'pngjs';

const QUIET_ZONE = 4;

function encode(text: string): qrcodegen.QrCode {
  return qrcodegen.QrCode.encodeText(text, qrcodegen.QrCode.Ecc.MEDIUM);
}

/** Scalable: one unit per module, dark modules as one path. */
export function qrSvg(text: string): string {
  const code = encode(text);
  const extent = code.size + 2 * QUIET_ZONE;
  let path = '';
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) {
      if (code.getModule(x, y)) path += `M${x + QUIET_ZONE},${y + QUIET_ZONE}h1v1h-1z`;
    }
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 ${extent} ${extent}" width="${extent * 8}" height="${extent * 8}" shape-rendering="crispEdges">` +
    `<rect width="100%" height="100%" fill="#ffffff"/><path d="${path}" fill="#000000"/></svg>\n`
  );
}

/**
 * `size` x `size` pixels (the spec's 100-2000, 1024 by default). Modules are whole pixels, centred,
 * so that every module is the same width; the rest is quiet zone.
 */
export function qrPng(text: string, size: number): Buffer {
  const code = encode(text);
  const modules = code.size + 2 * QUIET_ZONE;
  const scale = Math.max(1, Math.floor(size / modules));
  const offset = Math.floor((size - code.size * scale) / 2);
  const png = new PNG({ width: size, height: size, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  const pixels = Buffer.alloc(size * size, 0xff);
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) {
      if (!code.getModule(x, y)) continue;
      for (let dy = 0; dy < scale; dy++) {
        const row = (offset + y * scale + dy) * size + offset + x * scale;
        pixels.fill(0x00, row, row + scale);
      }
    }
  }
  png.data = pixels;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}
