// One whole sale on the XS engine stays within half the ESP32's default heap (the rest is for TLS
// and the SDK), takes one request from tap to QR and at most 8 journal writes.
import assert from 'node:assert/strict';
import { benchSale, SALE_BUDGET, type SaleBench } from '../../tools/bench/sale';

describe('a whole sale on XS', function () {
  this.timeout(120_000);
  let sale: SaleBench;
  before(async () => {
    sale = await benchSale();
  });

  it('peaks under half the ESP32 default heap above the idle machine', () => {
    assert.ok(sale.xsPeakSlots > 0 && sale.xsPeakSlots < SALE_BUDGET.slots, `${sale.xsPeakSlots} slots`);
    assert.ok(sale.xsPeakChunkBytes > 0 && sale.xsPeakChunkBytes < SALE_BUDGET.chunkBytes, `${sale.xsPeakChunkBytes} chunk bytes`);
  });

  it('takes one request from tap to QR and one from authorized to captured', () => {
    assert.equal(sale.tapToQrRequests, 1);
    assert.equal(sale.authorizedToCaptureRequests, 1);
  });

  it('writes the journal at most 8 times', () => {
    assert.ok(sale.journalWritesPerSale >= 3 && sale.journalWritesPerSale <= 8, `${sale.journalWritesPerSale} writes`);
  });
});
