// The bench's `sim` section: the firmware's sale measured in the Moddable simulator against the
// emulator over HTTPS, under the ESP32 build's creation (tools/firmware/sim-scenarios), and `fleet`:
// one sale's live peak with no fleet link, with the link yielding during the sale (the device's
// setting) and kept open (two TLS connections), against a fleet server with its broker over TLS
// (tools/firmware/sim-fleet). Undefined where the SDK is not installed (MODDABLE unset). About
// four minutes (two 32 s idle waits, three more boots).
import { missingForSimulator } from '../firmware/moddable-env';
import { runMeasuredSales, runSerialConsole, simBenchOf, startSimSession, type SimBench } from '../firmware/sim-scenarios';
import { fleetBenchOf, runFleetSale, startSimFleet, type FleetBench, type FleetSaleRun } from '../firmware/sim-fleet';

export type { SimBench } from '../firmware/sim-scenarios';

export async function benchSim(): Promise<(SimBench & { fleet?: FleetBench | { error: string } }) | undefined> {
  if (!process.env.MODDABLE) return undefined;
  const missing = missingForSimulator();
  if (missing) throw new Error(`MODDABLE is set but ${missing}`);
  const session = await startSimSession();
  try {
    const sim = simBenchOf(await runMeasuredSales(session));
    return { ...sim, fleet: await benchFleet(session) };
  } finally {
    await session.close();
  }
}

async function benchFleet(session: Awaited<ReturnType<typeof startSimSession>>): Promise<FleetBench | { error: string }> {
  const fleet = await startSimFleet();
  try {
    const { url, password, key } = fleet.credentials;
    const provisioned = await runSerialConsole(session, [`set fleet ${url} ${password} ${key}`]);
    const secrets = provisioned.stored as Record<string, string>;
    const runs: FleetSaleRun[] = [await runFleetSale(session, 'none'), await runFleetSale(session, 'yield', { secrets, fleet })];
    try {
      runs.push(await runFleetSale(session, 'stay', { secrets, fleet }));
    } catch {
      // two TLS connections did not fit: the bench shows 'stay' missing
    }
    return fleetBenchOf(runs);
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0]! };
  } finally {
    await fleet.close();
  }
}
