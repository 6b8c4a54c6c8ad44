// The device's QR encoder: the SDK's native qrcode module (Nayuki's C library, ECC MEDIUM) behind
// the same QrEncoder shape as modules/qr/encode. The text goes in as UTF-8 bytes (byte mode), as
// Nayuki's TypeScript encoder is used on Node and XS; tests compare the two.
import qrCode from 'qrcode';
import { MAX_VERSION, QrError, type QrMatrix } from 'qr/matrix';

export function encodeNative(text: string, maxVersion: number = MAX_VERSION): QrMatrix {
  if (text.length === 0) throw new QrError('empty', 'nothing to encode: the QR text is empty');
  const bytes = ArrayBuffer.fromString(text);
  let code;
  try {
    code = qrCode({ input: bytes, maxVersion });
  } catch {
    throw new QrError('too-long', `the QR text is too long: ${bytes.byteLength} bytes do not fit a version ${maxVersion} QR code at error correction M`);
  }
  return { size: code.size, modules: new Uint8Array(code) };
}
