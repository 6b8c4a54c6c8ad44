// Every webhook fault of the emulator, the whole way (the emulator's delivery, the fleet's check and
// relay, the machine's one GET), judged by the money rules: the product is released once, only after
// a GET that followed the approval, captured once, nothing refunded; the fleet stores each event once.
import assert from 'node:assert/strict';
import type { WebhookFaultKind } from '../../tools/emulator/index';
import { startDesktopWithFleet, type DesktopWithFleet } from '../support/desktop-fleet';

const PRICE = 2900;
const AUTHORIZED = 'epayments.payment.authorized.v1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('payment pushes under webhook faults, the whole way', function () {
  this.timeout(120_000);
  let rig: DesktopWithFleet;

  before(async () => {
    rig = await startDesktopWithFleet({ fast: true, walkAwayTimeoutSeconds: 120, timing: { pollFirstMs: 3_000, pollIntervalMs: 2_000 } });
  });
  after(() => rig?.close());

  const cases: Array<{ kind: WebhookFaultKind; relayedRows: number; note: string }> = [
    { kind: 'duplicate', relayedRows: 1, note: 'two deliveries, one event stored, one push' },
    { kind: 'delay', relayedRows: 1, note: 'the push comes late or polling wins' },
    { kind: 'out-of-order', relayedRows: 1, note: 'AUTHORIZED waits behind CAPTURED: polling finishes, the late push finds no open payment' },
    { kind: 'drop', relayedRows: 1, note: 'the attempt is lost: polling finishes, the retry is stored later' },
    { kind: 'drop-all', relayedRows: 0, note: 'no webhook at all: polling alone' },
    { kind: 'bad-signature', relayedRows: 1, note: 'refused with 401, the retry is signed right' },
    { kind: 'body-changed-after-signing', relayedRows: 1, note: 'refused with 401, the retry is intact' },
  ];

  for (const { kind, relayedRows, note } of cases) {
    it(`${kind}: ${note}; released once after a GET, captured once`, async () => {
      const { client, desktop, fleet } = rig;
      const emulator = desktop.emulator!;
      await client.waitFor((s) => s.state === 'idle' && s.inService, 20_000, 'idle');
      await client.tap((a) => a.type === 'select' && a.product === 'chocolate', 'chocolate');
      const reference = (await client.waitFor((s) => s.state === 'payment', 10_000, 'the QR')).payment!.reference;
      emulator.injectWebhookFault({ kind, reference, ...(kind === 'out-of-order' ? {} : { event: AUTHORIZED }), ...(kind === 'delay' ? { delayMs: 1_500 } : {}), ...(kind === 'out-of-order' ? { delayMs: 8_000 } : {}) });
      const approvedAt = Date.now();
      emulator.approve(reference);
      await client.waitFor((s) => s.state === 'thank-you', 20_000, 'thank you');
      // Let late deliveries, retries and their pushes land before judging.
      await sleep(kind === 'out-of-order' ? 9_000 : 3_000);
      emulator.clearWebhookFaults();

      const pulses = desktop.supervisor.pulses.filter((p) => p.reference === reference);
      assert.equal(pulses.length, 1, 'released exactly once');
      const gets = emulator.requests().filter((r) => r.method === 'GET' && r.path.endsWith(`/payments/${reference}`) && r.receivedAt >= approvedAt);
      assert.ok(gets.some((r) => r.receivedAt <= pulses[0]!.at && r.status === 200), 'a GET after the approval came before the release');
      const record = emulator.payment(reference)!;
      assert.equal(record.aggregate.capturedAmount.value, PRICE, 'captured once, the price');
      assert.equal(record.aggregate.refundedAmount.value, 0);
      // A dropped attempt is retried only after the service's 10 s without an answer.
      const storedBy = Date.now() + 20_000;
      const stored = async () => (await fleet.db.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_events WHERE reference = $1 AND name = $2', [reference, 'AUTHORIZED']))[0]!.n;
      while (relayedRows > 0 && (await stored()) === 0 && Date.now() < storedBy) await sleep(200);
      assert.equal(await stored(), relayedRows, 'the fleet stored the authorization once (or never got it)');
      assert.equal(desktop.supervisor.pulses.filter((p) => p.reference === reference).length, 1, 'a late push released nothing more');
    });
  }
});
