// Runs on the XS engine under `xsnap -q`, which prefixes each print() with the metering count.
// For each benchmark URL: encode, then draw onto a sink that only counts bytes, the way the
// device's native display driver takes them; the differences between markers are the costs.
import { drawQr } from 'qr/draw';
import { encode } from 'qr/encode';
import type { PixelSink } from 'qr/pixel-sink';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { BENCH_URLS } from '../../tests/support/qr-fixtures';

declare function print(...values: unknown[]): void;

class CountingSink implements PixelSink {
  readonly width = SCREEN_WIDTH;
  readonly height = SCREEN_HEIGHT;
  bytes = 0;
  constructor(readonly pixelFormat: number) {}
  begin(): void {}
  send(_pixels: ArrayBuffer, _offset: number, byteLength: number): void {
    this.bytes += byteLength;
  }
  end(): void {}
}

// Two markers back to back: what one marker costs, to subtract.
print('mark');
print('mark');
for (const url of BENCH_URLS) {
  print('encode-start');
  const matrix = encode(url);
  print('encode-end');
  const sink = new CountingSink(8);
  print('draw-start');
  const placement = drawQr(sink, matrix, PAYMENT_QR_BOX);
  print('draw-end');
  print(`result ${url.length} ${matrix.size} ${placement.scale} ${sink.bytes}`);
}
