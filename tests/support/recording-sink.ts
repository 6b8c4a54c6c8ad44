// A PixelSink that keeps every call, so tests can see how the pixel loop talks to the display.
import { PixelFormat, type PixelSink } from 'qr/pixel-sink';

export interface SendCall { buffer: ArrayBuffer; offset: number; byteLength: number; copy: Uint8Array }

export class RecordingSink implements PixelSink {
  readonly calls: string[] = [];
  readonly sends: SendCall[] = [];
  constructor(
    readonly width = 240,
    readonly height = 320,
    readonly pixelFormat: number = PixelFormat.RGB565LE,
  ) {}

  begin(x: number, y: number, width: number, height: number): void {
    this.calls.push(`begin ${x} ${y} ${width} ${height}`);
  }

  send(buffer: ArrayBuffer, offset: number, byteLength: number): void {
    this.calls.push('send');
    this.sends.push({ buffer, offset, byteLength, copy: new Uint8Array(buffer, offset, byteLength).slice() });
  }

  end(): void {
    this.calls.push('end');
  }
}
