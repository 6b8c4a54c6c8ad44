// The soak in small (`npm run soak` with a few sales): customers, faults and cuts against the
// desktop machine through its API only, and not one money rule broken.
import assert from 'node:assert/strict';
import { runSoak } from '../../tools/soak/soak';

describe('soak (a few sales)', function () {
  this.timeout(300_000);

  it('sells through faults and cuts with no money-rule violation, and reports the machine memory', async () => {
    const lines: string[] = [];
    const result = await runSoak({ sales: 5, seed: 11, log: (line) => lines.push(line) });
    assert.equal(result.sales, 5);
    assert.deepEqual(result.violations, [], lines.join('\n'));
    assert.equal(lines.filter((line) => line.startsWith('sale ')).length, 5);
    assert.ok(result.machineRss.start > 10 * 1048576 && result.machineRss.end > 10 * 1048576);
    // Every payment ended: none still reserved, none still payable.
    assert.ok(Object.values(result.outcomes).reduce((a, b) => a + b, 0) >= 1, JSON.stringify(result.outcomes));
    for (const outcome of Object.keys(result.outcomes)) assert.ok(['captured', 'released back', 'cancelled', 'rejected', 'expired'].includes(outcome), outcome);
  });
});
