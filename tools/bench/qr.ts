// QR figures: XS metering counts and allocation (deterministic) and Node wall time, for the three
// benchmark URLs.
import { performance } from 'node:perf_hooks';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { drawQr } from 'qr/draw';
import { encode } from 'qr/encode';
import { versionOfSize } from 'qr/matrix';
import { PixelFormat } from 'qr/pixel-sink';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { BENCH_URLS } from '../../tests/support/qr-fixtures';
import { runXs } from '../../tests/support/xs';

export interface QrBench {
  chars: number;
  version: number;
  scale: number;
  xsEncodeMeter: number;
  xsDrawMeter: number;
  /** XS heap slots one draw allocated (16 bytes each on the ESP32), garbage included. */
  xsDrawAllocSlots: number;
  /** XS chunk bytes one draw allocated (the two scanline buffers, mostly). */
  xsDrawAllocBytes: number;
  nodeEncodeMs: number;
  nodeDrawMs: number;
  bytesSent: number;
}

type XsFigures = Pick<QrBench, 'xsEncodeMeter' | 'xsDrawMeter' | 'xsDrawAllocSlots' | 'xsDrawAllocBytes' | 'bytesSent'>;

async function meterOnXs(): Promise<Map<number, XsFigures & { size: number; scale: number }>> {
  const { lines } = await runXs(`import './tools/bench/qr-xs-entry';`, { meter: true });
  const marks = lines.map((line) => {
    const match = line.match(/^\[(\d+)\] (.*)$/);
    if (!match) throw new Error(`unexpected xsnap output: ${line}`);
    return { meter: Number(match[1]), label: match[2] };
  });
  const markCost = marks[1].meter - marks[0].meter;
  const [, markSlots, markBytes] = marks[2].label.split(' ').map(Number);
  const results = new Map();
  for (let i = 3; i + 4 < marks.length; i += 5) {
    const [encodeStart, encodeEnd, drawStart, drawEnd, result] = marks.slice(i, i + 5);
    const [, chars, size, scale, bytes, slots, chunkBytes] = result.label.split(' ').map(Number);
    results.set(chars, {
      xsEncodeMeter: encodeEnd.meter - encodeStart.meter - markCost,
      xsDrawMeter: drawEnd.meter - drawStart.meter - markCost,
      xsDrawAllocSlots: slots - markSlots,
      xsDrawAllocBytes: chunkBytes - markBytes,
      bytesSent: bytes,
      size,
      scale,
    });
  }
  return results;
}

/** Mean milliseconds per call over enough calls to last about `budgetMs`. */
function timePerCall(body: () => void, budgetMs = 400): number {
  body();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    body();
    calls++;
    elapsed = performance.now() - start;
  } while (elapsed < budgetMs);
  return elapsed / calls;
}

export async function benchQr({ nodeTimings = true } = {}): Promise<QrBench[]> {
  const xs = await meterOnXs();
  const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT, PixelFormat.RGB565BE);
  return BENCH_URLS.map((url) => {
    const matrix = encode(url);
    const onXs = xs.get(url.length);
    if (!onXs || onXs.size !== matrix.size) throw new Error(`XS and Node disagree on the QR for ${url.length} characters`);
    const nodeEncodeMs = nodeTimings ? timePerCall(() => encode(url)) : Number.NaN;
    const nodeDrawMs = nodeTimings ? timePerCall(() => drawQr(framebuffer, matrix, PAYMENT_QR_BOX)) : Number.NaN;
    return {
      chars: url.length,
      version: versionOfSize(matrix.size),
      scale: onXs.scale,
      xsEncodeMeter: onXs.xsEncodeMeter,
      xsDrawMeter: onXs.xsDrawMeter,
      xsDrawAllocSlots: onXs.xsDrawAllocSlots,
      xsDrawAllocBytes: onXs.xsDrawAllocBytes,
      nodeEncodeMs: Number(nodeEncodeMs.toFixed(4)),
      nodeDrawMs: Number(nodeDrawMs.toFixed(4)),
      bytesSent: onXs.bytesSent,
    };
  });
}
