// A controller finding of the fault matrix (not a money rule): a power cut right after a sale is
// closed in the journal, before its sales-log entry is written, leaves a captured sale out of the
// operator's log. The controller closes the sale first and logs second (src/sale/machine.ts,
// releaseAndCapture and the other endings); logging first, and letting recovery update the entry
// instead of appending a second one, keeps every sale in the log. Replay:
// npm run faults -- --only approve.none.w4-after -v
import assert from 'node:assert/strict';
import { runScenario } from '../../tools/faults/run-scenario';
import { findScenario } from '../../tools/faults/scenarios';
import { startEmulator } from '../../tools/emulator/index';

describe('fault matrix finding: the sales log after a cut between closing a sale and logging it', function () {
  this.timeout(30_000);

  for (const id of ['approve.none.w4-after', 'approve.none.w5-before', 'reject.none.w2-after']) {
    it(`${id}: the sale is in the sales log`, async () => {
      const emulator = await startEmulator({ rateLimits: false });
      try {
        const result = await runScenario(findScenario(id)!, emulator);
        assert.deepEqual(result.violations, [], 'no money rule is broken either way');
        assert.equal(result.cuts, 1);
        assert.deepEqual(result.notes, [], result.summary);
      } finally {
        await emulator.close();
      }
    });
  }
});
