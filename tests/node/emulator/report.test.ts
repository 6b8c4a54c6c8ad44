import assert from 'node:assert/strict';
import { captureFee } from '../../../tools/emulator/report/fee-model';
import { assertProblem, json, useEmulator, type ApiClient, type Answer } from './helpers';

// A fixed start on the emulator clock: the ledger dates below are known.
const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3600;

interface Entry { pspReference: string; reference: string; time: string; ledgerDate: string; entryType: string; amount: number; currency: string; balanceBefore: number; balanceAfter: number; recipientHandle?: string }
interface Report { items: Entry[]; cursor: string; tryLater: boolean }

async function report(client: ApiClient, topic: 'funds' | 'fees', date: string, cursor?: string, ledgerId = client.emulator.credentials.merchantSerialNumber): Promise<Answer> {
  // The clock jumps hours here: a token of its own for every read.
  await client.fetchToken();
  return client.send('GET', `/report/v2/ledgers/${ledgerId}/${topic}/dates/${date}${cursor ? `?cursor=${cursor}` : ''}`, undefined, client.headers());
}

async function items(client: ApiClient, topic: 'funds' | 'fees', date: string): Promise<Report> {
  const answer = await report(client, topic, date);
  assert.equal(answer.status, 200, answer.body);
  return json<Report>(answer);
}

/** Two sales (25.00 and 40.00 NOK) captured, 10.00 of the first refunded; the references. */
async function daysSales(client: ApiClient): Promise<[string, string]> {
  const first = await client.payment();
  const second = await client.payment({ amount: { currency: 'NOK', value: 4000 } });
  // A second between them: the ledger orders by time, and the test clock stands still otherwise.
  assert.equal((await client.capture(first, 2500)).status, 200);
  client.emulator.advanceClock(1);
  assert.equal((await client.capture(second, 4000)).status, 200);
  client.emulator.advanceClock(1);
  assert.equal((await client.refund(first, 1000)).status, 200);
  return [first, second];
}

/** Moves the emulator clock to this moment (plus ms). */
function advanceTo(client: ApiClient, iso: string, ms = 0): void {
  client.emulator.advanceClock((Date.parse(iso) + ms - client.emulator.now()) / 1000);
}

describe('emulator: the Report API subset (ledgers, funds, fees)', () => {
  const context = useEmulator({ now: () => T0, seed: 1 });

  it('lists one ledger per currency, the NOK one named by the MSN, settling for api:{msn}', async () => {
    const { client, emulator } = context;
    await client.fetchToken();
    const answer = await client.send('GET', '/settlement/v1/ledgers', undefined, client.headers());
    assert.equal(answer.status, 200, answer.body);
    const body = json<{ items: Array<{ ledgerId: string; currency: string; settlesForRecipientHandles: string[]; firstPayout: string | null }>; cursor: string }>(answer);
    const msn = emulator.credentials.merchantSerialNumber;
    assert.deepEqual(body.items.map((l) => [l.ledgerId, l.currency]), [[msn, 'NOK'], [`${msn}-DKK`, 'DKK'], [`${msn}-EUR`, 'EUR']]);
    assert.deepEqual(body.items[0]!.settlesForRecipientHandles, [`api:${msn}`]);
    assert.equal(body.items[0]!.firstPayout, null);
    assert.equal(body.cursor, '');
    const filtered = json<{ items: unknown[] }>(await client.send('GET', '/settlement/v1/ledgers?settlesForRecipientHandles=api:999999', undefined, client.headers()));
    assert.deepEqual(filtered.items, []);
  });

  it('shows nothing of a capture before the lag, then the captures, the refund and their fees', async () => {
    const { client, emulator } = context;
    const [first, second] = await daysSales(client);
    const early = await items(client, 'funds', '2026-12-01');
    assert.deepEqual(early.items, []);
    assert.equal(early.tryLater, true);

    advanceTo(client, '2026-12-01T12:00:01Z');
    assert.deepEqual((await items(client, 'funds', '2026-12-01')).items.map((e) => e.entryType), ['capture', 'capture'], 'the refund 2 s later is not shown yet');
    advanceTo(client, '2026-12-01T12:00:02Z');
    const funds = await items(client, 'funds', '2026-12-01');
    assert.deepEqual(funds.items.map((e) => [e.entryType, e.reference, e.amount]), [['capture', first, 2500], ['capture', second, 4000], ['refund', first, -1000]]);
    assert.deepEqual(funds.items.map((e) => e.balanceAfter), [2500, 6500, 5500]);
    assert.ok(funds.items.every((e, i) => i === 0 || e.balanceBefore === funds.items[i - 1]!.balanceAfter));
    assert.equal(funds.tryLater, true, 'the date is not closed before its cut-off');
    const captures = emulator.payment(first)!.events.filter((e) => e.name === 'CAPTURED');
    assert.equal(funds.items[0]!.pspReference, captures[0]!.pspReference);
    assert.equal(funds.items[0]!.recipientHandle, `api:${emulator.credentials.merchantSerialNumber}`);
    assert.match(funds.items[0]!.time, /^2026-12-01T10:00:00\.000000\+0000$/);

    const fees = await items(client, 'fees', '2026-12-01');
    assert.deepEqual(fees.items.map((e) => [e.entryType, e.reference, e.amount]), [['capture-fee', first, 144], ['capture-fee', second, 170]]);
    assert.equal(fees.items[0]!.pspReference, funds.items[0]!.pspReference, 'a fee carries its capture\'s pspReference');
  });

  it('closes the date at midnight UTC: the fees retained and the day\'s net paid out, all adding up to zero', async () => {
    const { client } = context;
    await daysSales(client);
    // The cut-off entries (stamped at midnight) show 2 h after it.
    advanceTo(client, '2026-12-02T02:00:00Z', -1);
    assert.deepEqual((await items(client, 'funds', '2026-12-01')).items.map((e) => e.entryType), ['capture', 'capture', 'refund']);
    advanceTo(client, '2026-12-02T02:00:00Z');
    const funds = await items(client, 'funds', '2026-12-01');
    const feesTotal = captureFee(2500, 'NOK') + captureFee(4000, 'NOK');
    assert.equal(feesTotal, 314);
    assert.deepEqual(funds.items.slice(3).map((e) => [e.entryType, e.amount, e.time]), [
      ['fees-retained', -314, '2026-12-02T00:00:00.000000+0000'],
      ['payout-scheduled', -(2500 + 4000 - 1000 - 314), '2026-12-02T00:00:00.000000+0000'],
    ]);
    assert.equal(funds.items.reduce((sum, e) => sum + e.amount, 0), 0);
    assert.equal(funds.items.at(-1)!.balanceAfter, 0);
    assert.equal(funds.items.at(-1)!.reference, '2000001', 'the payout\'s reference is its number');
    assert.equal(funds.tryLater, false);
    const fees = await items(client, 'fees', '2026-12-01');
    assert.deepEqual(fees.items.map((e) => e.amount), [144, 170, -314]);
    assert.equal(fees.items.at(-1)!.balanceAfter, 0);

    const ledgers = json<{ items: Array<{ firstPayout: string | null; lastPayout: string | null }> }>(await client.send('GET', '/settlement/v1/ledgers', undefined, client.headers()));
    assert.equal(ledgers.items[0]!.firstPayout, '2000001');
    assert.equal(ledgers.items[0]!.lastPayout, '2000001');
    // The next day has nothing, and is open; the day after that has not begun: 404.
    assert.deepEqual((await items(client, 'funds', '2026-12-02')).items, []);
    assertProblem(await report(client, 'funds', '2026-12-03'), 404);
  });

  it('carries a negative balance over instead of paying out', async () => {
    const { client, emulator } = context;
    const reference = await client.payment();
    assert.equal((await client.capture(reference, 2500)).status, 200);
    emulator.advanceClock(16 * HOUR);
    assert.equal((await items(client, 'funds', '2026-12-01')).items.at(-1)!.entryType, 'payout-scheduled');
    assert.equal((await client.refund(reference, 2500)).status, 200);
    emulator.advanceClock(24 * HOUR);
    const next = await items(client, 'funds', '2026-12-02');
    assert.deepEqual(next.items.map((e) => [e.entryType, e.amount, e.balanceAfter]), [['refund', -2500, -2500]]);
  });

  it('asks for the same keys as the ePayment API, and knows its ledgers and dates', async () => {
    const { client, emulator } = context;
    await client.fetchToken();
    assertProblem(await client.send('GET', '/settlement/v1/ledgers', undefined, { 'Ocp-Apim-Subscription-Key': emulator.credentials.subscriptionKey }), 401);
    assertProblem(await client.send('GET', '/settlement/v1/ledgers', undefined, client.headers({ 'Ocp-Apim-Subscription-Key': 'wrong' })), 401);
    assertProblem(await client.send('GET', '/settlement/v1/ledgers', undefined, client.headers({ 'Merchant-Serial-Number': '999999' })), 403);
    assertProblem(await report(client, 'funds', '2026-12-01', undefined, 'no-such-ledger'), 404);
    assertProblem(await report(client, 'funds', '2026-13-01'), 400);
  });

  it('takes the lag from the admin API, and reset() brings back the default', async () => {
    const { client, emulator } = context;
    const set = await client.send('POST', '/emulator/report/lag', JSON.stringify({ seconds: 0 }), { 'content-type': 'application/json' });
    assert.equal(set.status, 200, set.body);
    assert.equal(emulator.reportLagSeconds(), 0);
    const shown = json<{ lagSeconds: number; fees: Record<string, { basisPoints: number; fixedMinor: number }> }>(await client.send('GET', '/emulator/report', undefined, {}));
    assert.deepEqual([shown.lagSeconds, shown.fees.NOK], [0, { basisPoints: 175, fixedMinor: 100 }]);
    const [first] = await daysSales(client);
    assert.equal((await items(client, 'funds', '2026-12-01')).items[0]!.reference, first);
    assert.equal((await client.send('POST', '/emulator/report/lag', JSON.stringify({ seconds: -1 }), {})).status, 400);
    emulator.reset();
    assert.equal(emulator.reportLagSeconds(), 7200);
  });
});

describe('emulator: the Report API in pages', () => {
  const context = useEmulator({ now: () => T0, reportPageSize: 2, reportLagSeconds: 0 });

  it('pages with the cursor, the last page\'s cursor empty; a foreign cursor is 400', async () => {
    const { client } = context;
    await daysSales(client);
    const page1 = json<Report>(await report(client, 'funds', '2026-12-01'));
    assert.equal(page1.items.length, 2);
    assert.notEqual(page1.cursor, '');
    const page2 = json<Report>(await report(client, 'funds', '2026-12-01', page1.cursor));
    assert.deepEqual(page2.items.map((e) => e.entryType), ['refund']);
    assert.equal(page2.cursor, '');
    assertProblem(await report(client, 'fees', '2026-12-01', page1.cursor), 400);
  });
});
