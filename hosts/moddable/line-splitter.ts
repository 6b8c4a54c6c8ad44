// Bytes from a serial console into lines: CR, LF or CRLF ends a line; backspace and DEL take back
// the last byte (a person types these). The bytes collect in one buffer, grown as needed up to
// MAX_LINE_BYTES and released after each line, so a 3 KB `set config` line costs one buffer,
// not a string per character. A longer line is thrown away whole and reported.

export const MAX_LINE_BYTES = 34 * 1024;
/** XS's UTF-8 decoder (not in the standard library's typings). */
const xsString = String as unknown as { fromArrayBuffer(buffer: ArrayBuffer): string };
const FIRST_BUFFER = 128;

export type LineHandler = (line: string) => void;

export class LineSplitter {
  private buffer: Uint8Array | undefined;
  private length = 0;
  private overflow = false;
  private lastWasCr = false;

  /** `onTooLong` is told instead of `onLine` when a line passed the limit. */
  constructor(private readonly onLine: LineHandler, private readonly onTooLong: () => void, private readonly maxBytes = MAX_LINE_BYTES) {}

  push(byte: number): void {
    if (byte === 10 || byte === 13) {
      // CRLF is one end of line.
      const crlf = byte === 10 && this.lastWasCr;
      this.lastWasCr = byte === 13;
      if (!crlf) this.end();
      return;
    }
    this.lastWasCr = false;
    if (byte === 8 || byte === 127) {
      if (this.length > 0) this.length--;
      return;
    }
    if (this.overflow) return;
    if (this.length >= this.maxBytes) {
      this.overflow = true;
      this.buffer = undefined;
      this.length = 0;
      return;
    }
    if (!this.buffer || this.length === this.buffer.length) {
      const grown = new Uint8Array(Math.min(this.maxBytes, Math.max(FIRST_BUFFER, (this.buffer?.length ?? 0) * 2)));
      if (this.buffer) grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = byte;
  }

  private end(): void {
    if (this.overflow) {
      this.overflow = false;
      this.onTooLong();
      return;
    }
    const buffer = this.buffer;
    const length = this.length;
    this.buffer = undefined;
    this.length = 0;
    if (!buffer || length === 0) {
      this.onLine('');
      return;
    }
    let line: string;
    try {
      line = xsString.fromArrayBuffer(buffer.slice(0, length).buffer);
    } catch {
      // Not UTF-8: keep the ASCII, mark the rest.
      const ascii = buffer.slice(0, length);
      for (let i = 0; i < ascii.length; i++) if (ascii[i]! > 0x7e) ascii[i] = 0x3f;
      line = xsString.fromArrayBuffer(ascii.buffer);
    }
    this.onLine(line);
  }
}
