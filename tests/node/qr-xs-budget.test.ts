// The drawing budget on the engine the device runs. Metering counts are deterministic, so this is
// an exact check, not a timing: drawing the 86-character URL's QR (version 6, scale 4) must cost at
// most 60,000 units, building and sending every scanline included.
import assert from 'node:assert/strict';
import { benchQr } from '../../tools/bench/qr';

describe('QR drawing cost on XS', function () {
  this.timeout(60_000);

  it('stays within 60,000 metering units for the 86-character payment URL', async () => {
    const rows = await benchQr({ nodeTimings: false });
    const url86 = rows.find((row) => row.chars === 86);
    assert.ok(url86, 'no figure for the 86-character URL');
    assert.equal(url86.version, 6);
    assert.equal(url86.scale, 4);
    assert.equal(url86.bytesSent, 196 * 196 * 2);
    assert.ok(url86.xsDrawMeter > 0 && url86.xsDrawMeter <= 60_000, `drawing cost ${url86.xsDrawMeter} metering units`);
  });
});
