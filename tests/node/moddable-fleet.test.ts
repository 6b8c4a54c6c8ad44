// The firmware's fleet link in the Moddable simulator (tools/firmware/sim-fleet.ts): the fleet's
// credentials typed on the serial console (refusals first, then the real ones), a reboot, one
// whole sale against the emulator with the link up over TLS to a fleet server started here (PGlite
// in memory, the embedded broker), and the sale in the fleet's sales table exactly once, the
// machine online. Then the memory: the sale's live peak with no link, with the link yielding
// during the sale (the device's setting) and kept open (two TLS connections), under the ESP32
// build's creation: the device's setting must stay under 85 % of it.
import assert from 'node:assert/strict';
import { skipWithoutModdable } from '../support/moddable';
import { missingForSimulator } from '../../tools/firmware/moddable-env';
import { runSerialConsole, startSimSession, type SimSession } from '../../tools/firmware/sim-scenarios';
import { fleetBenchOf, runFleetSale, startSimFleet, type FleetSaleRun, type SimFleet } from '../../tools/firmware/sim-fleet';

describe('the firmware\'s fleet link in the Moddable simulator (TLS broker, PGlite)', function () {
  this.timeout(600_000);
  let session: SimSession | undefined;
  let fleet: SimFleet | undefined;
  let secrets: Record<string, string> | undefined;
  const runs: FleetSaleRun[] = [];

  before(async function () {
    skipWithoutModdable(this, 'run the firmware\'s fleet link in its simulator');
    const missing = missingForSimulator();
    if (missing) throw new Error(`MODDABLE is set but ${missing}`);
    fleet = await startSimFleet();
    session = await startSimSession({ log: process.env.QRVEND_SIM_LOG ? (line) => console.log(`      | ${line}`) : undefined });
  });

  after(async () => {
    await session?.close();
    await fleet?.close();
  });

  it('takes `set fleet` on the serial console: refuses a bad key or URL, keeps good ones in Preference, never echoes them', async function () {
    if (!session || !fleet) this.skip();
    const { url, password, key } = fleet!.credentials;
    const result = await runSerialConsole(session!, [
      `set fleet ${url} ${password} 1234`,
      `set fleet https://127.0.0.1:1 ${password} ${key}`,
      `set fleet ${url} ${password} ${key}`,
      'show',
      'status',
    ]);
    assert.ok(result.answers.includes('error fleet key must be 64 hex digits'), result.answers.join('\n'));
    assert.ok(result.answers.includes('error fleet url must be mqtt://host[:port] or mqtts://host[:port]'));
    assert.ok(result.answers.some((answer) => answer.startsWith('ok fleet stored (127.0.0.1:')), result.answers.join('\n'));
    assert.ok(result.answers.some((answer) => /^ok fleet: provisioned \(127\.0\.0\.1:\d+\)$/.test(answer)), result.answers.join('\n'));
    assert.ok(!result.output.includes(password), 'the fleet password reached the trace');
    assert.ok(!result.output.includes(key), 'the fleet key reached the trace');
    assert.equal(result.stored?.fleetUrl, url);
    assert.equal(result.stored?.fleetKey, key);
    secrets = result.stored as Record<string, string>;
  });

  it('sells once with the link up: the fleet has the sale exactly once, captured, and the machine online; then takes a new price between sales', async function () {
    if (!session || !fleet || !secrets) this.skip();
    const run = await runFleetSale(session!, 'yield', { secrets, fleet, priceEdit: { product: 'chocolate', price: 3100 } });
    runs.push(run);
    assert.ok(run.connectedBeforeTap, 'the link was up before the tap');
    assert.equal(run.record.aggregate.capturedAmount.value, 3500);
    assert.equal(run.fleetOutcome, 'captured');
    assert.equal(run.fleetRows, 1);
    assert.equal(run.machineOnline, true);
    assert.match(run.output, /log info fleet: closed while a sale is open\n/);
    assert.equal(run.configState, 'applied', 'the device applied the edit');
    assert.equal(run.reportedPrice, 3100);
    assert.match(run.output, /log info fleet: configuration \d+ applied\n/);
    assert.ok(!run.output.includes(fleet!.credentials.password) && !run.output.includes(fleet!.credentials.key), 'a fleet secret reached the trace');
  });

  it('measures the sale\'s live peak with no link and with the link kept open; the device\'s setting stays under 85 % of the creation', async function () {
    if (!session || !fleet || !secrets || runs.length === 0) this.skip();
    runs.push(await runFleetSale(session!, 'none'));
    try {
      runs.push(await runFleetSale(session!, 'stay', { secrets, fleet }));
    } catch (error) {
      console.log(`      the link kept open during a sale failed: ${(error as Error).message.split('\n')[0]}`);
    }
    const bench = fleetBenchOf(runs);
    console.log(`      fleet: ${JSON.stringify(bench)}`);
    const device = bench.sale.yield;
    assert.ok(device.peakSlots < 0.85 * bench.creation.heap, `${device.peakSlots} slots at the peak`);
    assert.ok(device.peakChunkBytes < 0.85 * bench.creation.chunk, `${device.peakChunkBytes} chunk bytes at the peak`);
  });
});
