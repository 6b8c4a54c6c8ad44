// `npm run fleet -- --demo N`: N desktop machines (each in its own process, with its own built-in
// emulator and state folder under .state/fleet-demo/) linked to the local fleet, and a customer at
// each who buys something every few seconds, so the operator's page fills with machines and sales.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DesktopClient } from '../../hosts/node/desktop/api-client';
import { DEFAULT_CONFIG, startDesktop, type Desktop } from '../../hosts/node/desktop/desktop';
import type { LocalFleet } from '../../fleet/local-fleet';

export const DEMO_STATE = resolve(import.meta.dirname, '../../.state/fleet-demo');

export interface Demo {
  machines: { posId: string; pageUrl: string }[];
  close(): Promise<void>;
}

export async function startDemo(fleet: Pick<LocalFleet, 'credentialsFor'>, count: number, options: { everyMs?: number; log?: (line: string) => void } = {}): Promise<Demo> {
  const base = JSON.parse(readFileSync(DEFAULT_CONFIG, 'utf8')) as { posId: string; catalog: { id: string }[] };
  const running: { posId: string; desktop: Desktop; client: DesktopClient }[] = [];
  let stopped = false;
  for (let i = 1; i <= count; i++) {
    const posId = `demo-${String(i).padStart(2, '0')}`;
    const dir = join(DEMO_STATE, posId);
    mkdirSync(dir, { recursive: true });
    const configPath = join(dir, 'machine.json');
    writeFileSync(configPath, JSON.stringify({ ...base, posId }, null, 2));
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.EPAYMENT_BASE_URL;
    const desktop = await startDesktop({ port: 0, configPath, stateDir: join(dir, 'desktop'), fast: true, env, fleetCredentials: await fleet.credentialsFor(posId) });
    running.push({ posId, desktop, client: new DesktopClient(desktop.pageUrl) });
    options.log?.(`${posId}: ${desktop.pageUrl}`);
  }
  // A customer per machine: taps a product, pays in the emulator, takes it; now and then walks away.
  const shop = async (machine: (typeof running)[number], turn: number) => {
    const { client, desktop } = machine;
    const product = base.catalog[turn % base.catalog.length]!.id;
    try {
      await client.waitFor((s) => s.state === 'idle' && s.inService, 30_000, 'idle');
      await client.tap((a) => a.type === 'select' && a.product === product, product);
      const shown = await client.waitFor((s) => s.state === 'payment', 15_000, 'the QR');
      if (turn % 5 !== 4) desktop.emulator?.approve(shown.payment!.reference);
      else await client.tap((a) => a.type === 'cancel', 'cancel');
      await client.waitFor((s) => s.state === 'idle', 30_000, 'idle again');
    } catch (error) {
      options.log?.(`${machine.posId}: ${(error as Error).message}`);
    }
  };
  for (const [index, machine] of running.entries()) {
    void (async () => {
      for (let turn = index; !stopped; turn++) {
        await shop(machine, turn);
        await new Promise((done) => setTimeout(done, (options.everyMs ?? 8000) + Math.random() * 4000));
      }
    })();
  }
  return {
    machines: running.map(({ posId, desktop }) => ({ posId, pageUrl: desktop.pageUrl })),
    async close() {
      stopped = true;
      for (const { client, desktop } of running) {
        client.close();
        await desktop.close();
      }
    },
  };
}
