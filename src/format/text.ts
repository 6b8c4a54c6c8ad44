// Making a string safe to draw: what comes from the API or the configuration (product names, the
// operator contact, references, reason details) may hold control characters, characters the font
// lacks, or simply be too long. Everything drawn passes through here, so no text run can hold what
// the font cannot draw or run out of its box. The common case (nothing to change) returns the same
// string without allocating.
import type { FontBook, FontId } from 'app/screens/font-book';

const ELLIPSIS = '\u2026';
const REPLACEMENT = '?';

/** Characters dropped outright: C0/C1 controls other than whitespace, zero-width and bidi controls, BOM, variation selectors. */
function isInvisible(code: number): boolean {
  return (code < 0x20 && !isWhitespace(code)) || (code >= 0x7f && code <= 0x9f && code !== 0x85) || (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) || (code >= 0x2060 && code <= 0x206f) || code === 0xfeff || (code >= 0xfe00 && code <= 0xfe0f) || code === 0xad;
}

/** Whitespace of any kind: drawn as one space (or kept when it is a no-break space the font has). */
function isWhitespace(code: number): boolean {
  return (code >= 0x09 && code <= 0x0d) || code === 0x20 || code === 0x85 || code === 0xa0 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000;
}

/** No-break spaces keep their meaning (money: "1 490,00 kr") when the font can draw them. */
function isNoBreakSpace(code: number): boolean {
  return code === 0xa0 || code === 0x202f;
}

/**
 * `text` with invisible characters removed, whitespace runs folded to one space and trimmed, and
 * every character the font lacks replaced by '?'.
 */
export function sanitize(fonts: FontBook, font: FontId, text: string): string {
  if (isClean(fonts, font, text)) return text;
  let out = '';
  let pendingSpace = '';
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let code = text.charCodeAt(i);
    let width = 1;
    if (code >= 0xd800 && code < 0xdc00 && i + 1 < length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        width = 2;
      }
    }
    if (isInvisible(code)) continue;
    if (isWhitespace(code)) {
      if (out.length > 0 && pendingSpace === '') pendingSpace = isNoBreakSpace(code) && fonts.has(font, code) ? text[i] : ' ';
      continue;
    }
    const drawn = code >= 0xd800 && code < 0xe000 ? REPLACEMENT : !fonts.has(font, code) ? REPLACEMENT : width === 2 ? text.slice(i, i + 2) : text[i];
    out += pendingSpace + drawn;
    pendingSpace = '';
    i += width - 1;
  }
  return out;
}

/** True when sanitize would return `text` unchanged: no scan result allocates. */
function isClean(fonts: FontBook, font: FontId, text: string): boolean {
  let previousSpace = true; // a leading space is not clean
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code < 0xe000) return false; // surrogates take the slow path
    if (isInvisible(code)) return false;
    if (isWhitespace(code)) {
      if (previousSpace || !(code === 0x20 || (isNoBreakSpace(code) && fonts.has(font, code)))) return false;
      previousSpace = true;
      continue;
    }
    if (!fonts.has(font, code)) return false;
    previousSpace = false;
  }
  return !previousSpace || length === 0;
}

/** The ellipsis this font can draw: '…', or three dots. */
function ellipsisFor(fonts: FontBook, font: FontId): string {
  return fonts.has(font, 0x2026) ? ELLIPSIS : '...';
}

/** `text` (already sanitised) cut to fit `width` pixels, ending in an ellipsis when cut; '' when not even that fits. */
export function fitText(fonts: FontBook, font: FontId, text: string, width: number): string {
  if (fonts.measure(font, text) <= width) return text;
  const ellipsis = ellipsisFor(fonts, font);
  // Binary search on the cut: the longest prefix whose cut form still fits.
  let low = 0;
  let high = text.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (fonts.measure(font, cutAt(text, middle, ellipsis)) <= width) low = middle;
    else high = middle - 1;
  }
  if (low === 0) return fonts.measure(font, ellipsis) <= width ? ellipsis : '';
  return cutAt(text, low, ellipsis);
}

function cutAt(text: string, length: number, ellipsis: string): string {
  let end = length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last < 0xdc00) end--; // never split a surrogate pair
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
  return text.slice(0, end) + ellipsis;
}

/**
 * `text` (already sanitised) broken into at most `maxLines` lines of at most `width` pixels, at
 * spaces where it can and inside a word too long for a line; the last line ends in an ellipsis when
 * text is left over.
 */
export function wrapText(fonts: FontBook, font: FontId, text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > 0 && lines.length < maxLines) {
    if (lines.length === maxLines - 1 || fonts.measure(font, rest) <= width) {
      lines.push(fitText(fonts, font, rest, width));
      break;
    }
    const end = lineEnd(fonts, font, rest, width);
    lines.push(rest.slice(0, end).trimEnd());
    rest = rest.slice(end).trimStart();
  }
  return lines;
}

/** Where the first line of `text` ends: after the last space that keeps it within `width`, else where the width runs out. */
function lineEnd(fonts: FontBook, font: FontId, text: string, width: number): number {
  let lastFit = 0;
  for (let space = text.indexOf(' '); space > 0; space = text.indexOf(' ', space + 1)) {
    if (fonts.measure(font, text.slice(0, space)) > width) break;
    lastFit = space;
  }
  if (lastFit > 0) return lastFit;
  let low = 1;
  let high = text.length;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (fonts.measure(font, text.slice(0, middle)) <= width) low = middle;
    else high = middle - 1;
  }
  const last = text.charCodeAt(low - 1);
  return last >= 0xd800 && last < 0xdc00 && low > 1 ? low - 1 : low;
}
