// CRC-32 (IEEE 802.3, the zlib/PNG one: reflected polynomial 0xEDB88320) over a string's UTF-8
// bytes, fed one byte at a time as the characters are read, so no byte array is ever built.
import { isLowSurrogate } from 'journal/utf8-length';

let table: Uint32Array | undefined;

/** The 256-entry lookup table, built on first use (1 KB of chunk memory, no slots). */
function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * Continues a CRC-32 over `text.slice(start, end)` as UTF-8, zlib-style: `previous` is a finished
 * CRC (0 to begin), and crc32Update(crc32Update(0, a), b) equals the CRC of a + b. The range lets a
 * caller check part of a stored value without slicing it out.
 */
export function crc32Update(previous: number, text: string, start = 0, end = text.length): number {
  const t = crcTable();
  let crc = ~previous >>> 0;
  for (let i = start; i < end; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      if (code <= 0xdbff && i + 1 < end && isLowSurrogate(text.charCodeAt(i + 1))) {
        code = 0x10000 + ((code - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00);
        i++;
      } else code = 0xfffd; // lone surrogate, as TextEncoder encodes it
    }
    if (code < 0x80) {
      crc = t[(crc ^ code) & 0xff]! ^ (crc >>> 8);
    } else if (code < 0x800) {
      crc = t[(crc ^ (0xc0 | (code >> 6))) & 0xff]! ^ (crc >>> 8);
      crc = t[(crc ^ (0x80 | (code & 0x3f))) & 0xff]! ^ (crc >>> 8);
    } else if (code < 0x10000) {
      crc = t[(crc ^ (0xe0 | (code >> 12))) & 0xff]! ^ (crc >>> 8);
      crc = t[(crc ^ (0x80 | ((code >> 6) & 0x3f))) & 0xff]! ^ (crc >>> 8);
      crc = t[(crc ^ (0x80 | (code & 0x3f))) & 0xff]! ^ (crc >>> 8);
    } else {
      crc = t[(crc ^ (0xf0 | (code >> 18))) & 0xff]! ^ (crc >>> 8);
      crc = t[(crc ^ (0x80 | ((code >> 12) & 0x3f))) & 0xff]! ^ (crc >>> 8);
      crc = t[(crc ^ (0x80 | ((code >> 6) & 0x3f))) & 0xff]! ^ (crc >>> 8);
      crc = t[(crc ^ (0x80 | (code & 0x3f))) & 0xff]! ^ (crc >>> 8);
    }
  }
  return ~crc >>> 0;
}

/** A CRC value as 8 lowercase hex digits, the form stored in envelopes. */
export function crc32Hex(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0');
}

/** CRC-32 of a string's UTF-8 bytes as 8 lowercase hex digits: crc32('123456789') is 'cbf43926'. */
export function crc32(text: string): string {
  return crc32Hex(crc32Update(0, text));
}
