// The bench's `sim` section: the firmware's sale measured in the Moddable simulator against the
// emulator over HTTPS, under the ESP32 build's creation (tools/firmware/sim-scenarios). Undefined
// where the SDK is not installed (MODDABLE unset). About two minutes (two 32 s idle waits).
import { missingForSimulator } from '../firmware/moddable-env';
import { runMeasuredSales, simBenchOf, startSimSession, type SimBench } from '../firmware/sim-scenarios';

export type { SimBench } from '../firmware/sim-scenarios';

export async function benchSim(): Promise<SimBench | undefined> {
  if (!process.env.MODDABLE) return undefined;
  const missing = missingForSimulator();
  if (missing) throw new Error(`MODDABLE is set but ${missing}`);
  const session = await startSimSession();
  try {
    return simBenchOf(await runMeasuredSales(session));
  } finally {
    await session.close();
  }
}
