// The books on a real PGlite with the emulator as the service: the sync stores each report entry
// once, the day's totals per machine, the payout, every kind of mismatch, and the alert lag.
import assert from 'node:assert/strict';
import { booksDays } from '../../fleet/books/books-days';
import { evaluateBooksAlerts } from '../../fleet/books/books-alerts';
import { setBooksSettings } from '../../fleet/books/books-settings';
import { findMismatches } from '../../fleet/books/mismatches';
import { captureFee } from '../../tools/emulator/report/fee-model';
import type { Emulator } from '../../tools/emulator/index';
import { startTestFleet, type TestFleet } from './helpers';
import { pay, recordSale, secondsPastMidnight, startBooksEmulator, today, vippsKeysOf } from './books-world';

describe('fleet books: the settlement report beside the machines\' sales (PGlite + emulator)', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  let fleet: TestFleet;

  before(async () => {
    emulator = await startBooksEmulator();
    // The timer would sync on its own; these tests tick it themselves.
    fleet = await startTestFleet({ vipps: vippsKeysOf(emulator), booksEveryMs: 3_600_000 });
    await fleet.addMachine('kiosk-a');
    await fleet.addMachine('kiosk-b');
    const vipps = fleet.server.vipps!;
    await pay(vipps, emulator, 'kiosk-a-0001', 2500);
    await pay(vipps, emulator, 'kiosk-a-0002', 4000, 4000);
    await pay(vipps, emulator, 'kiosk-a-0003', 2000); // the machine says 30.00
    await pay(vipps, emulator, 'kiosk-b-0002', 1200); // no machine reported it
    await pay(vipps, emulator, 'other-0001', 900); // a reference of no machine
    await recordSale(fleet.db, 'kiosk-a', 'kiosk-a-0001', 2500, 'captured');
    await recordSale(fleet.db, 'kiosk-a', 'kiosk-a-0002', 4000, 'refunded');
    await recordSale(fleet.db, 'kiosk-a', 'kiosk-a-0003', 3000, 'captured');
    await recordSale(fleet.db, 'kiosk-b', 'kiosk-b-0001', 1500, 'captured'); // never captured at the service
  });
  after(async () => {
    await fleet?.close();
    await emulator?.close();
  });

  const entries = async (): Promise<number> => Number((await fleet.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_entries'))[0]!.n);

  it('stores each entry of the report once, however often it is read', async () => {
    const first = await fleet.server.books!.tick();
    assert.equal(first?.ledgers, 3);
    // 5 captures and their fees, 1 refund.
    assert.equal(first?.newEntries, 11);
    assert.equal(await entries(), 11);
    const again = await fleet.server.books!.tick();
    assert.equal(again?.newEntries, 0);
    assert.equal(await entries(), 11);
    const owners = await fleet.db.query<{ reference: string; pos_id: string | null }>(`SELECT DISTINCT reference, pos_id FROM ledger_entries WHERE topic = 'funds' ORDER BY reference`);
    assert.deepEqual(owners.map((o) => [o.reference, o.pos_id]), [['kiosk-a-0001', 'kiosk-a'], ['kiosk-a-0002', 'kiosk-a'], ['kiosk-a-0003', 'kiosk-a'], ['kiosk-b-0002', 'kiosk-b'], ['other-0001', null]]);
  });

  it('adds up the day per machine: captured and refunded by the machines, and by the report with its fees', async () => {
    const day = (await booksDays(fleet.db)).find((d) => d.day === today() && d.currency === 'NOK')!;
    const a = day.machines.find((m) => m.posId === 'kiosk-a')!;
    assert.deepEqual([a.machineCaptured, a.machineRefunded, a.reportCaptured, a.reportRefunded], [9500, 4000, 8500, 4000]);
    assert.equal(a.fees, captureFee(2500, 'NOK') + captureFee(4000, 'NOK') + captureFee(2000, 'NOK'));
    const b = day.machines.find((m) => m.posId === 'kiosk-b')!;
    assert.deepEqual([b.machineCaptured, b.reportCaptured], [1500, 1200]);
    assert.equal(day.machines.find((m) => m.posId === null)!.reportCaptured, 900);
    assert.equal(day.payout, 0, 'no payout before the date closes');
  });

  it('lists every mismatch; a capture the report lacks only once the report\'s usual lag is over', async () => {
    const kinds = async () => (await findMismatches(fleet.db)).map((m) => [m.kind, m.reference, m.posId]);
    // The sales came in an hour ago; the usual lag is 3 h: kiosk-b-0001 may still come.
    assert.deepEqual(await kinds(), [
      ['amount-differs', 'kiosk-a-0003', 'kiosk-a'],
      ['not-reported', 'kiosk-b-0002', 'kiosk-b'],
      ['not-reported', 'other-0001', null],
    ]);
    await setBooksSettings(fleet.db, { reportLagS: 1800, alertAfterS: 86_400 });
    const found = await findMismatches(fleet.db);
    assert.deepEqual(found.map((m) => [m.kind, m.reference]).find(([kind]) => kind === 'missing-in-report'), ['missing-in-report', 'kiosk-b-0001']);
    const differs = found.find((m) => m.kind === 'amount-differs')!;
    assert.deepEqual([differs.machineCaptured, differs.reportCaptured], [3000, 2000]);
  });

  it('does not count a capture as lacking before the report was read after it', async () => {
    await setBooksSettings(fleet.db, { reportLagS: 0, alertAfterS: 86_400 });
    await recordSale(fleet.db, 'kiosk-b', 'kiosk-b-0003', 800, 'captured', 0);
    const lacking = async () => (await findMismatches(fleet.db)).filter((m) => m.kind === 'missing-in-report').map((m) => m.reference);
    assert.deepEqual(await lacking(), ['kiosk-b-0001'], 'the last read was before kiosk-b-0003 came in');
    await fleet.server.books!.tick();
    assert.deepEqual(await lacking(), ['kiosk-b-0001', 'kiosk-b-0003']);
    await setBooksSettings(fleet.db, { reportLagS: 1800, alertAfterS: 86_400 });
  });

  it('makes a mismatch an alert only after the alert lag, and closes it when none that old is left', async () => {
    const open = async () => (await fleet.db.query<{ pos_id: string; detail: string }>(`SELECT pos_id, detail FROM alerts WHERE kind = 'books-mismatch' AND closed_at IS NULL ORDER BY pos_id`));
    await evaluateBooksAlerts(fleet.db);
    assert.deepEqual(await open(), [], 'nothing is a day old yet');
    await setBooksSettings(fleet.db, { reportLagS: 1800, alertAfterS: 0 });
    await evaluateBooksAlerts(fleet.db);
    assert.deepEqual((await open()).map((a) => a.pos_id), ['kiosk-a', 'kiosk-b']);
    assert.match((await open())[0]!.detail, /1 books mismatch, first amount-differs kiosk-a-0003/);
    await setBooksSettings(fleet.db, { reportLagS: 1800, alertAfterS: 86_400 });
    await evaluateBooksAlerts(fleet.db);
    assert.deepEqual(await open(), []);
  });

  it('reads the payout once the service closes the date: the day\'s net', async () => {
    emulator.advanceClock(secondsPastMidnight(emulator));
    const result = await fleet.server.books!.tick();
    assert.ok(result && result.newEntries >= 3, 'the fees retained (funds and fees) and the payout');
    const day = (await booksDays(fleet.db)).find((d) => d.day === today() && d.currency === 'NOK')!;
    const fees = [2500, 4000, 2000, 1200, 900].reduce((sum, value) => sum + captureFee(value, 'NOK'), 0);
    assert.equal(day.payout, 2500 + 4000 + 2000 + 1200 + 900 - 4000 - fees);
    const complete = await fleet.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_dates WHERE ledger_date = $1 AND complete`, [today()]);
    assert.equal(Number(complete[0]!.n), 6, 'three ledgers, funds and fees: complete, not read again');
  });

  it('gives a machine added later its entries already read', async () => {
    await fleet.addMachine('other');
    await fleet.server.books!.tick();
    const owners = await fleet.db.query<{ pos_id: string | null }>(`SELECT DISTINCT pos_id FROM ledger_entries WHERE reference = 'other-0001'`);
    assert.deepEqual(owners.map((o) => o.pos_id), ['other']);
  });
});
