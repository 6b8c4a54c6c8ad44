/**
 * Byte length of `text` (from `start` to `end`) in UTF-8, counted without building the bytes:
 * store limits are in bytes, and on XS an array of bytes would cost a slot per byte. Lone
 * surrogates count as U+FFFD (3 bytes), as TextEncoder and `qr/utf8` encode them.
 */
export function utf8Length(text: string, start = 0, end = text.length): number {
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < end && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
