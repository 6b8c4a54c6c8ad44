// The fleet load tool's smoke run: nothing installed (PGlite in the fleet's state folder and its
// embedded broker), 5 real FleetLinks selling fast, the fleet server process stopped and started
// once; every sale must be stored exactly once. The real run is `npm run fleet:load`.
import assert from 'node:assert/strict';
import { runLoad } from '../../tools/fleet-load/load';

describe('fleet load tool (smoke: PGlite + embedded broker)', function () {
  this.timeout(60_000);

  it('5 machines, one fleet restart: every sale stored exactly once', async () => {
    const result = await runLoad({
      machines: 5,
      durationMs: 4000,
      // One sale per machine every 0.5 s.
      salesPerDay: 172_800,
      speed: 1,
      heartbeatMs: 1000,
      embedded: true,
      fleetSignal: 'SIGTERM',
      drainTimeoutMs: 30_000,
    });
    assert.equal(result.faults.length, 1, result.faults.join('; '));
    assert.ok(result.sales.made >= 15, `${result.sales.made} sales made`);
    assert.deepEqual(result.sales, { ...result.sales, stored: result.sales.made, lost: 0, duplicated: 0, unknown: 0, missingReferences: 0, unacked: 0 });
    assert.ok(result.ok);
    assert.ok(result.fleetPeakRssMb > 0);
  });
});
