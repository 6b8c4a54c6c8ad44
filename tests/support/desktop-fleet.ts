// The desktop machine (its own process, the built-in emulator) linked to a real fleet (PGlite,
// embedded broker) that holds the emulator's keys: the fleet registers its webhook with the
// emulator and relays the payments' events down to the machine, the whole way a push goes.
// The fleet needs the emulator's keys and the desktop brings the emulator: the fleet adds the
// machine first, then comes back on the same broker port with the keys; the link reconnects.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DesktopClient } from '../../hosts/node/desktop/api-client';
import { startDesktop, type Desktop, type DesktopOptions } from '../../hosts/node/desktop/desktop';
import { startFleetServer, type FleetServer } from '../../fleet/server';
import { emulatorVippsKeys } from '../../fleet/local-fleet';
import type { MachineCredentials } from '../../fleet/machines';

export const FLEET_POS = 'oslo-s-vend-01';

export interface DesktopWithFleet {
  desktop: Desktop;
  fleet: FleetServer;
  client: DesktopClient;
  credentials: MachineCredentials;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startDesktopWithFleet(options: Pick<DesktopOptions, 'fast' | 'timing' | 'walkAwayTimeoutSeconds' | 'emulatorSeed' | 'onLog'> = {}): Promise<DesktopWithFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'desktop-fleet-'));
  const fleetOptions = { dataDir: join(dir, 'fleet-db'), mqttHost: '127.0.0.1', fleetPassword: 'desktop-fleet-password' };
  const first = await startFleetServer({ ...fleetOptions, mqttPort: 0 });
  const mqttPort = first.broker!.port;
  const credentials = await first.addMachine(FLEET_POS);
  await first.close();
  writeFileSync(join(dir, 'fleet.json'), JSON.stringify(credentials), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.EPAYMENT_BASE_URL;
  const desktop = await startDesktop({ ...options, port: 0, stateDir: join(dir, 'desktop'), env, fleetCredentials: join(dir, 'fleet.json') });
  let fleet: FleetServer | undefined;
  const client = new DesktopClient(desktop.pageUrl);
  const close = async () => {
    client.close();
    await desktop.close();
    await fleet?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const emulator = desktop.emulator!;
    fleet = await startFleetServer({
      ...fleetOptions, mqttPort, httpPort: 0, httpHost: '127.0.0.1',
      vipps: emulatorVippsKeys(emulator),
    });
    await within(fleet.webhooks!.registered, 20_000, 'the fleet\'s webhook registration');
    await online(fleet, 20_000);
    return { desktop, fleet, client, credentials, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function online(fleet: FleetServer, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fleet.db.query<{ online: boolean }>('SELECT online FROM machines WHERE pos_id = $1', [FLEET_POS]))[0]?.online) {
    if (Date.now() > end) throw new Error(`the machine not online at the fleet within ${ms} ms`);
    await sleep(100);
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
