// Sale figures: requests on the customer's path, journal writes, and the XS engine's cost of one
// whole sale (metering units, and peak live slots and chunk bytes above the idle machine), with
// the in-memory ePayment service, so the numbers are the controller's alone and deterministic.
import { runXs } from '../../tests/support/xs';

export interface SaleBench {
  /** Requests from the tap to the QR on screen (the token is warm): target 1. */
  tapToQrRequests: number;
  /** Requests from reading AUTHORIZED to the capture answered. */
  authorizedToCaptureRequests: number;
  /** Journal writes (flash) for one normal sale, the sales log included: at most 8. */
  journalWritesPerSale: number;
  /** XS metering units for one whole sale, tap to thank-you. */
  xsMeter: number;
  /** Peak live slots (after GC, sampled at every step) above the idle machine. */
  xsPeakSlots: number;
  xsPeakChunkBytes: number;
  /** What the idle machine holds, code loaded, for reference. */
  xsIdleSlots: number;
  xsIdleChunkBytes: number;
}

/** Half the ESP32's default heap: the rest is for TLS and the SDK. */
export const SALE_BUDGET = { slots: 2_464, chunkBytes: 39_424 } as const;

export async function benchSale(): Promise<SaleBench> {
  const { lines } = await runXs(`import './tools/bench/sale-xs-entry';`, { meter: true });
  const marks = lines.map((line) => {
    const match = line.match(/^\[(\d+)\] (.*)$/);
    if (!match) throw new Error(`unexpected xsnap output: ${line}`);
    return { meter: Number(match[1]), label: match[2] };
  });
  const at = (label: string) => {
    const mark = marks.find((m) => m.label === label);
    if (!mark) throw new Error(`the XS sale run did not print ${label}: ${lines.slice(-3).join(' | ')}`);
    return mark;
  };
  const markCost = marks[1].meter - marks[0].meter;
  const result = marks.find((m) => m.label.startsWith('result '));
  if (!result) throw new Error(`the XS sale run did not finish: ${lines.slice(-3).join(' | ')}`);
  const [tapToQr, authorizedToCapture, writes, slots, chunk, idleSlots, idleChunk] = result.label.split(' ').slice(1).map(Number);
  return {
    tapToQrRequests: tapToQr,
    authorizedToCaptureRequests: authorizedToCapture,
    journalWritesPerSale: writes,
    xsMeter: at('sale-end').meter - at('sale-start').meter - markCost,
    xsPeakSlots: slots,
    xsPeakChunkBytes: chunk,
    xsIdleSlots: idleSlots,
    xsIdleChunkBytes: idleChunk,
  };
}

export function printSaleTable(sale: SaleBench): void {
  console.log('Sale (one whole sale on XS with the in-memory service; deterministic)');
  console.table({
    'requests tap -> QR': { value: sale.tapToQrRequests, target: 1 },
    'requests authorized -> captured': { value: sale.authorizedToCaptureRequests },
    'journal writes per sale': { value: sale.journalWritesPerSale, target: '<= 8' },
    'XS metering, tap -> thank-you': { value: sale.xsMeter },
    'XS peak slots above idle': { value: sale.xsPeakSlots, target: `< ${SALE_BUDGET.slots}` },
    'XS peak chunk bytes above idle': { value: sale.xsPeakChunkBytes, target: `< ${SALE_BUDGET.chunkBytes}` },
  });
}
