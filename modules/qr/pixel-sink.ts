/**
 * Where rows of pixels go: the shape of Moddable's PixelsOut (the `screen` global on the device
 * and in the simulator, an in-memory framebuffer on Node). Pixels of a begin/end frame are sent
 * row after row, left to right.
 */
export interface PixelSink {
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: number;
  begin(x: number, y: number, width: number, height: number): void;
  send(pixels: ArrayBuffer, offset: number, byteLength: number): void;
  end(): void;
}

// Moddable's commodetto Bitmap format numbers.
export const PixelFormat = Object.freeze({
  RGB565LE: 7,
  RGB565BE: 8,
} as const);

export interface Box { x: number; y: number; width: number; height: number }

/** 8-bit red, green and blue to an RGB565 value. */
export function rgb565(red: number, green: number, blue: number): number {
  return ((red & 0xf8) << 8) | ((green & 0xfc) << 3) | (blue >> 3);
}
