// The whole firmware (manifest.json) in the Moddable simulator against the emulator over HTTPS,
// under the ESP32 build's creation (growth off, so a sale that would run out of memory on the device
// fails here): three sales on one boot (the first and third after the server closed the idle
// connection, the second on the warm one), each QR decoded from the matrix the display drew and
// approved as a phone would, the output's pulse seen in the trace, the capture seen at the emulator;
// then power cuts (SIGKILL) while the QR shows, during the release pulse and during the capture,
// and a controller whose pulse never ends, each followed by a restart from the same Preference
// (the journal), and the money rules checked from the emulator's records.
// Runs where the SDK is installed (MODDABLE set); about four minutes (two 32 s idle waits).
import assert from 'node:assert/strict';
import { skipWithoutModdable } from '../support/moddable';
import { missingForSimulator } from '../../tools/firmware/moddable-env';
import type { PaymentRecord } from '../../tools/emulator/index';
import { PRODUCT, runMeasuredSales, runRecovery, runSerialConsole, simBenchOf, startSimSession, type MeasuredRun, type RecoveryRun, type SimSession } from '../../tools/firmware/sim-scenarios';

/** Design rule 3: captured once in full, or nothing captured and nothing left reserved. */
function assertCaptured(record: PaymentRecord): void {
  assert.equal(record.aggregate.authorizedAmount.value, PRODUCT.price);
  assert.equal(record.aggregate.capturedAmount.value, PRODUCT.price);
  assert.equal(record.aggregate.cancelledAmount.value, 0);
  assert.equal(record.events.filter((event) => event.name === 'CAPTURED').length, 1, 'captured exactly once');
}

function assertNotCharged(record: PaymentRecord): void {
  assert.equal(record.aggregate.capturedAmount.value, 0, 'nothing captured');
  const { authorizedAmount, cancelledAmount } = record.aggregate;
  if (record.state === 'AUTHORIZED') assert.equal(cancelledAmount.value, authorizedAmount.value, 'the reserved money was released');
  else assert.equal(record.state, 'TERMINATED');
}

describe('the firmware in the Moddable simulator: whole sales and power cuts against the emulator (HTTPS)', function () {
  this.timeout(600_000);
  let session: SimSession | undefined;

  before(async function () {
    skipWithoutModdable(this, 'run the firmware end to end in its simulator');
    const missing = missingForSimulator();
    if (missing) throw new Error(`MODDABLE is set but ${missing}`);
    session = await startSimSession({ log: process.env.QRVEND_SIM_LOG ? (line) => console.log(`      | ${line}`) : undefined });
  });

  after(async () => {
    await session?.close();
  });

  describe('three sales on one boot', () => {
    let run: MeasuredRun;
    before(async function () {
      if (!session) this.skip();
      run = await runMeasuredSales(session!);
    });

    it('draws a QR that decodes to the payment\'s URL, and the emulator captures each sale after the pulse', () => {
      assert.equal(run.sales.length, 3);
      for (const sale of run.sales) {
        assert.equal(sale.qr.decoded, sale.qr.url);
        assert.ok(sale.pulsed, `no "pin ${PRODUCT.pin} pulse ${PRODUCT.pulseMs} ms" in the trace of ${sale.qr.reference}`);
        assertCaptured(sale.record);
      }
    });

    it('costs one create from tap to QR, no TLS handshake on a warm connection, and 3 requests a sale', () => {
      const bench = simBenchOf(run);
      console.log(`      sim: ${JSON.stringify(bench)}`);
      assert.equal(bench.tapToQrRequests, 1);
      assert.ok(bench.tlsHandshakesPerSale <= 1);
      assert.equal(bench.requestsPerSale, 3, 'create, one status read, capture');
      assert.ok(bench.tapToQrMs <= 120, `tap to QR took ${bench.tapToQrMs} ms on a warm connection`);
      // After the server closed the idle connection the create carries a new handshake.
      assert.equal(run.sales[2]!.counters.tlsHandshakes, 1);
      assert.ok(bench.tapToQrColdMs > bench.tapToQrMs);
    });

    it('stays inside the ESP32 build\'s creation: live slots, chunk bytes and stack', () => {
      const bench = simBenchOf(run);
      assert.equal(bench.creation.heapIncremental, 0);
      assert.equal(bench.creation.chunkIncremental, 0);
      assert.ok(run.sales[0]!.mem!.live && run.sales[0]!.mem!.samples > 20, 'the first sale is sampled live, often');
      assert.ok(bench.peakSlots < bench.creation.heap, `${bench.peakSlots} slots live at the peak`);
      assert.ok(bench.peakChunkBytes < bench.creation.chunk);
      assert.ok(bench.peakStackSlots > 0 && bench.peakStackSlots < bench.creation.stack);
    });
  });

  describe('a power cut, then a restart from the same journal', () => {
    const cases: { cut: 'qr' | 'release' | 'capture' | 'hang'; what: string }[] = [
      { cut: 'qr', what: 'while the QR shows: the payment is cancelled, nothing can be paid' },
      { cut: 'release', what: 'during the release pulse: release begun but not confirmed, so cancelled, never captured' },
      { cut: 'capture', what: 'during the capture: the product was released, so it is captured, once' },
      { cut: 'hang', what: 'a pulse that never ends: the watchdog restarts the app, recovery cancels' },
    ];
    for (const { cut, what } of cases) {
      it(what, async function () {
        if (!session) this.skip();
        const result: RecoveryRun = await runRecovery(session!, cut);
        if (cut === 'hang') {
          assert.match(result.first, /log error watchdog: no progress on the releasing screen for \d+ ms\nwatchdog: restart\n/);
          assert.doesNotMatch(result.first, new RegExp(`pin ${PRODUCT.pin} pulse done`));
        }
        if (cut === 'qr') assert.throws(() => session!.emulator.approve(result.reference), 'a cancelled payment cannot be approved any more');
        // Whichever phase the cut hit, the money rules decide from the journal's phase.
        if (result.phase === 'capture') {
          assert.equal(result.queued, 'capture');
          assertCaptured(result.record);
        } else {
          assert.equal(result.queued, 'cancel');
          assertNotCharged(result.record);
        }
        const expected = { qr: 'create', release: 'release', capture: 'capture', hang: 'release' }[cut];
        assert.equal(result.phase, expected, `the cut hit phase ${result.phase}`);
      });
    }
  });

  it('takes provisioning lines on the serial console, keeps them in Preference, and never echoes a secret', async function () {
    if (!session) this.skip();
    const secret = 'sim-console-secret-0123456789';
    const result = await runSerialConsole(session!, ['help', `set secret ${secret}`, 'set pin 24681357', 'set baseUrl http://insecure.example', 'show', 'status']);
    assert.match(result.answers[0]!, /^ok commands: /);
    assert.ok(result.answers.includes(`ok secret stored (${secret.length} characters); takes effect at the next boot`));
    assert.ok(result.answers.includes('ok pin stored (salted hash)'));
    assert.ok(result.answers.some((answer) => answer.startsWith('error baseUrl must be https')));
    assert.ok(result.answers.includes(`ok secret: set (${secret.length} characters)`));
    assert.ok(result.answers.some((answer) => /^ok state idle, in service/.test(answer)), result.answers.join('\n'));
    assert.ok(!result.output.includes(secret), 'the secret reached the trace');
    assert.equal(result.stored?.secret, secret);
    assert.match(String(result.stored?.pinHash), /^[0-9a-f]{8}:[0-9a-f]{64}$/);
  });
});
