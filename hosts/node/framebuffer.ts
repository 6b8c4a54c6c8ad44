// An in-memory RGB565 display: the desktop's stand-in for Moddable's `screen`. It takes pixels
// exactly as a PixelsOut does (begin a window, send rows, end) and keeps them as the panel would.
// No Node imports, so the XS tests use it too.
import { PixelFormat, type PixelSink } from 'qr/pixel-sink';

export class Framebuffer implements PixelSink {
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: number;
  /** Two bytes a pixel, rows top to bottom, in the sink's byte order. */
  readonly bytes: Uint8Array;
  /** Pixel bytes received since construction, a measure of what crossed the display bus. */
  bytesSent = 0;
  frames = 0;
  private window: { x: number; y: number; width: number; height: number } | null = null;
  private cursor = 0;

  constructor(width: number, height: number, pixelFormat: number = PixelFormat.RGB565LE) {
    if (pixelFormat !== PixelFormat.RGB565LE && pixelFormat !== PixelFormat.RGB565BE) {
      throw new Error(`unsupported pixel format ${pixelFormat}`);
    }
    this.width = width;
    this.height = height;
    this.pixelFormat = pixelFormat;
    this.bytes = new Uint8Array(width * height * 2);
  }

  begin(x: number, y: number, width: number, height: number): void {
    if (this.window) throw new Error('begin() while a frame is open');
    if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > this.width || y + height > this.height) {
      throw new RangeError(`window ${width}x${height} at ${x},${y} is outside the ${this.width}x${this.height} display`);
    }
    this.window = { x, y, width, height };
    this.cursor = 0;
  }

  send(pixels: ArrayBuffer, offset = 0, byteLength = pixels.byteLength - offset): void {
    const window = this.window;
    if (!window) throw new Error('send() outside begin()/end()');
    if (byteLength % 2 !== 0) throw new RangeError('send() of half a pixel');
    const source = new Uint8Array(pixels, offset, byteLength);
    const windowPixels = window.width * window.height;
    let done = 0;
    while (done < byteLength) {
      const pixel = this.cursor;
      if (pixel >= windowPixels) throw new RangeError('send() past the end of the window');
      const column = pixel % window.width;
      const run = Math.min(window.width - column, (byteLength - done) >> 1);
      const target = ((window.y + Math.floor(pixel / window.width)) * this.width + window.x + column) * 2;
      this.bytes.set(source.subarray(done, done + run * 2), target);
      done += run * 2;
      this.cursor += run;
    }
    this.bytesSent += byteLength;
  }

  end(): void {
    if (!this.window) throw new Error('end() without begin()');
    this.window = null;
    this.frames++;
  }

  /** The RGB565 value at a point, whatever the byte order. */
  pixel(x: number, y: number): number {
    const i = (y * this.width + x) * 2;
    return this.pixelFormat === PixelFormat.RGB565LE
      ? this.bytes[i] | (this.bytes[i + 1] << 8)
      : (this.bytes[i] << 8) | this.bytes[i + 1];
  }

  /** Fills a rectangle with one RGB565 colour, as a display primitive would. */
  fill(color: number, x = 0, y = 0, width = this.width, height = this.height): void {
    const first = this.pixelFormat === PixelFormat.RGB565LE ? color & 0xff : color >> 8;
    const second = this.pixelFormat === PixelFormat.RGB565LE ? color >> 8 : color & 0xff;
    for (let row = y; row < y + height; row++) {
      for (let column = x; column < x + width; column++) {
        const i = (row * this.width + column) * 2;
        this.bytes[i] = first;
        this.bytes[i + 1] = second;
      }
    }
  }

  /** 8-bit RGBA, the form image encoders and QR decoders take. */
  toRgba(): Uint8ClampedArray {
    const rgba = new Uint8ClampedArray(this.width * this.height * 4);
    for (let p = 0, y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++, p += 4) {
        const value = this.pixel(x, y);
        const red = (value >> 11) & 0x1f;
        const green = (value >> 5) & 0x3f;
        const blue = value & 0x1f;
        rgba[p] = (red << 3) | (red >> 2);
        rgba[p + 1] = (green << 2) | (green >> 4);
        rgba[p + 2] = (blue << 3) | (blue >> 2);
        rgba[p + 3] = 255;
      }
    }
    return rgba;
  }
}
