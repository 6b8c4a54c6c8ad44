// Runs on the XS engine under `xsnap -q`, which prefixes each print() with the metering count.
// For each benchmark URL: encode, then draw onto a sink that only counts bytes, the way the
// device's native display driver takes them; the differences between markers are the costs.
// The engine's allocation counters are read around the draw's markers, so the result line also
// says how many slots and chunk bytes one draw allocated.
import { drawQr } from 'qr/draw';
import { encode } from 'qr/encode';
import type { PixelSink } from 'qr/pixel-sink';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { BENCH_URLS } from '../../tests/support/qr-fixtures';
import { readXsMemory, type XsMemory } from '../../tests/support/xs-memory';

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

function allocatedSince(before: XsMemory): string {
  const after = readXsMemory();
  return `${after.slotsAllocated - before.slotsAllocated} ${after.chunkBytesAllocated - before.chunkBytesAllocated}`;
}

// Two markers back to back: what one marker costs, to subtract (its allocation too).
const beforeMarks = readXsMemory();
print('mark');
print('mark');
print(`marks-alloc ${allocatedSince(beforeMarks)}`);
for (const url of BENCH_URLS) {
  print('encode-start');
  const matrix = encode(url);
  print('encode-end');
  const sink = new CountingSink(8);
  const beforeDraw = readXsMemory();
  print('draw-start');
  const placement = drawQr(sink, matrix, PAYMENT_QR_BOX);
  print('draw-end');
  const drawAllocation = allocatedSince(beforeDraw);
  print(`result ${url.length} ${matrix.size} ${placement.scale} ${sink.bytes} ${drawAllocation}`);
}
