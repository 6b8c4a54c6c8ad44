// The QR encoder for Node and XS: Nayuki's generator, error correction MEDIUM, the text as UTF-8
// bytes in byte mode. The device encodes the same way with the SDK's native qrcode module (Nayuki's
// C code); tests compare the two matrices.
import qrcodegen from 'nayuki-qr-code-generator';
import { MAX_VERSION, MIN_VERSION, QrError, type QrMatrix } from 'qr/matrix';
import { utf8Bytes } from 'qr/utf8';

const { QrCode, QrSegment } = qrcodegen;

export function encode(text: string, maxVersion: number = MAX_VERSION): QrMatrix {
  if (text.length === 0) throw new QrError('empty', 'nothing to encode: the QR text is empty');
  const bytes = utf8Bytes(text);
  let code;
  try {
    code = QrCode.encodeSegments([QrSegment.makeBytes(bytes)], QrCode.Ecc.MEDIUM, MIN_VERSION, maxVersion, -1, true);
  } catch {
    throw new QrError('too-long', `the QR text is too long: ${bytes.length} bytes do not fit a version ${maxVersion} QR code at error correction M`);
  }
  const size = code.size;
  const modules = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) modules[y * size + x] = code.getModule(x, y) ? 1 : 0;
  }
  return { size, modules };
}
