// The checksummed text every journal key holds:
//
//   <marker>:<version>:<seq>:<crc>:<payload>      e.g.  R1:2:7:5e0c1b7a:{"ref":"abc"}
//
// marker: the kind and format of the value ('R1' a SlotRecord slot, 'L1' a PagedLog page);
// version: the caller's schema version; seq: the sequence number (decimal, canonical, no leading
// zeros); crc: CRC-32 (8 lowercase hex digits) over the UTF-8 of everything except the crc field
// itself, i.e. of "<marker>:<version>:<seq>:" followed by the payload; payload: the caller's JSON.
// A value that is torn, truncated, garbled, empty or someone else's fails the marker, the field
// syntax or the checksum and is never handed back. Changing this layout needs a new marker.
import { crc32Hex, crc32Update } from 'journal/crc32';

export interface Envelope {
  version: number;
  seq: number;
  payload: string;
}

const COLON = 0x3a;
/** Decimal fields stay below 2^53 so the numbers are exact. */
const MAX_DIGITS = 15;

export function encodeEnvelope(marker: string, version: number, seq: number, payload: string): string {
  const header = `${marker}:${version}:${seq}:`;
  const crc = crc32Update(crc32Update(0, header), payload);
  return `${header}${crc32Hex(crc)}:${payload}`;
}

/** The envelope in `text`, or undefined when it is missing, not ours, or damaged in any way. */
export function decodeEnvelope(marker: string, text: string | undefined): Envelope | undefined {
  if (typeof text !== 'string' || !text.startsWith(marker) || text.charCodeAt(marker.length) !== COLON) return undefined;
  const versionAt = marker.length + 1;
  const versionEnd = decimalEnd(text, versionAt);
  if (versionEnd < 0) return undefined;
  const seqEnd = decimalEnd(text, versionEnd + 1);
  if (seqEnd < 0) return undefined;
  const crcAt = seqEnd + 1;
  const payloadAt = crcAt + 9;
  if (text.length < payloadAt || text.charCodeAt(payloadAt - 1) !== COLON) return undefined;
  const stored = hex32(text, crcAt);
  if (stored < 0) return undefined;
  const computed = crc32Update(crc32Update(0, text, 0, crcAt), text, payloadAt);
  if (computed !== stored) return undefined;
  return {
    version: Number(text.slice(versionAt, versionEnd)),
    seq: Number(text.slice(versionEnd + 1, seqEnd)),
    payload: text.slice(payloadAt),
  };
}

/** Index of the colon that ends a canonical decimal field starting at `start`, or -1. */
function decimalEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && i - start <= MAX_DIGITS) {
    const code = text.charCodeAt(i);
    if (code === COLON) break;
    if (code < 0x30 || code > 0x39) return -1;
    i++;
  }
  const digits = i - start;
  if (i >= text.length || digits === 0 || digits > MAX_DIGITS) return -1;
  if (digits > 1 && text.charCodeAt(start) === 0x30) return -1; // one spelling per number
  return i;
}

/** Eight lowercase hex digits at `start` as a number, or -1. */
function hex32(text: string, start: number): number {
  let value = 0;
  for (let i = start; i < start + 8; i++) {
    const code = text.charCodeAt(i);
    let digit: number;
    if (code >= 0x30 && code <= 0x39) digit = code - 0x30;
    else if (code >= 0x61 && code <= 0x66) digit = code - 0x61 + 10;
    else return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** Checks shared by SlotRecord and PagedLog: a schema version and a byte limit the store can hold. */
export function isSchemaVersion(version: unknown): version is number {
  return typeof version === 'number' && Number.isInteger(version) && version >= 0 && version < 2 ** 53;
}
