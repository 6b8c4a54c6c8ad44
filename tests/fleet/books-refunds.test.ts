// The books count the refunds made from the operator's page (the `refunds` table) as refunded:
// such a refund, once the service took it, is no mismatch.
import assert from 'node:assert/strict';
import { booksDays } from '../../fleet/books/books-days';
import { findMismatches } from '../../fleet/books/mismatches';
import type { Emulator } from '../../tools/emulator/index';
import { startTestFleet, type TestFleet } from './helpers';
import { pay, recordSale, startBooksEmulator, today, vippsKeysOf } from './books-world';

describe('fleet books: refunds from the page (PGlite + emulator)', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  let fleet: TestFleet;

  before(async () => {
    emulator = await startBooksEmulator();
    fleet = await startTestFleet({ vipps: vippsKeysOf(emulator), booksEveryMs: 3_600_000 });
    await fleet.addMachine('kiosk-a');
    await pay(fleet.server.vipps!, emulator, 'kiosk-a-0001', 2500, 1000);
    await recordSale(fleet.db, 'kiosk-a', 'kiosk-a-0001', 2500, 'captured');
    await fleet.server.books!.tick();
  });
  after(async () => {
    await fleet?.close();
    await emulator?.close();
  });

  it('before the page\'s refund is recorded, the report\'s refund is a refunded amount that differs', async () => {
    assert.deepEqual((await findMismatches(fleet.db)).map((m) => [m.kind, m.machineRefunded, m.reportRefunded]), [['amount-differs', 0, 1000]]);
  });

  it('with the page\'s refund recorded (done), the books agree and the day shows it refunded', async () => {
    await fleet.db.query(`INSERT INTO refunds (pos_id, reference, idempotency_key, amount, currency, reason, operator_name, state, answered_at)
      VALUES ('kiosk-a', 'kiosk-a-0001', 'refund-kiosk-a-0001-1', 1000, 'NOK', 'broken can', 'alice', 'done', now())`);
    await fleet.db.query(`INSERT INTO refunds (pos_id, reference, idempotency_key, amount, currency, reason, operator_name, state)
      VALUES ('kiosk-a', 'kiosk-a-0001', 'refund-kiosk-a-0001-2', 500, 'NOK', 'again', 'alice', 'refused')`);
    assert.deepEqual(await findMismatches(fleet.db), []);
    const a = (await booksDays(fleet.db)).find((d) => d.day === today())!.machines.find((m) => m.posId === 'kiosk-a')!;
    assert.deepEqual([a.machineCaptured, a.machineRefunded, a.reportCaptured, a.reportRefunded], [2500, 1000, 2500, 1000]);
  });
});
