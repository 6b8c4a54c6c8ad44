// The desktop machine's fleet link: credentials from a file of the state folder (written by the
// fleet's --add-machine, mode 0600), the npm mqtt client, the boot count in the state folder, and
// catalog edits from the fleet kept in `catalog.json` there (applied over the configuration file
// at the next boot, as the device keeps its configuration in NVS).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from 'hash/sha256';
import { FleetLink, type FleetCredentials } from 'fleet/link';
import type { Log } from 'ports/log';
import { applyCatalogEdit, catalogOf } from 'app/config/catalog-edit';
import type { VendingMachine } from 'app/sale/machine';
import { fleetSource } from 'app/sale/fleet-source';
import { FileStore } from '../file-store';
import { nodeMqttConnect } from '../mqtt-connect';
import { systemClock } from '../system-clock';
import { validateMachineConfig } from 'app/config/validate';

const PACKAGE_JSON = new URL('../../../package.json', import.meta.url);

const CATALOG_FILE = 'catalog.json';

export function readFleetCredentials(path: string): FleetCredentials & { posId?: string } {
  const value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  for (const field of ['url', 'password', 'key'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') throw new Error(`${path}: ${field} is missing`);
  }
  return value as unknown as FleetCredentials & { posId?: string };
}

/** The configuration with the fleet's last applied catalog edit, when there is one that still applies. */
export function withStoredCatalog(config: unknown, stateDir: string, log: Log): unknown {
  const path = join(stateDir, CATALOG_FILE);
  if (!existsSync(path)) return config;
  let valid;
  try {
    valid = validateMachineConfig(config);
  } catch {
    return config; // the machine reports the configuration's own problem
  }
  try {
    return applyCatalogEdit(valid, JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    log.warn(`fleet catalog ${path} not applied: ${(error as Error).message}`);
    return config;
  }
}

export function startFleetLink(machine: VendingMachine, options: { credentialsPath: string; stateDir: string; ca?: string; log: Log; timing?: ConstructorParameters<typeof FleetLink>[0]['timing'] }): FleetLink | undefined {
  const config = machine.config;
  if (!config) {
    options.log.warn('fleet: no link without a valid configuration');
    return undefined;
  }
  const credentials = readFleetCredentials(options.credentialsPath);
  if (credentials.posId !== undefined && credentials.posId !== config.posId) throw new Error(`fleet credentials are for ${credentials.posId}, this machine is ${config.posId}`);
  const hostStore = new FileStore(join(options.stateDir, 'host'));
  const boots = Number(hostStore.get('boots') ?? '0') + 1;
  hostStore.set('boots', String(boots));
  const firmware = (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
  let configHash = sha256Hex(JSON.stringify(config));
  const link = new FleetLink({
    posId: config.posId,
    credentials,
    connect: nodeMqttConnect(options.ca ? { ca: options.ca } : {}),
    source: fleetSource(machine, { firmware, configHash: () => configHash, bootCount: boots, currency: config.currency }),
    clock: systemClock,
    wallTime: () => Date.now(),
    log: options.log,
    applyConfig: (products) => {
      const answer = machine.applyCatalog(products);
      if (answer.result !== 'applied') return answer;
      writeFileSync(join(options.stateDir, CATALOG_FILE), JSON.stringify(catalogOf(answer.config)));
      configHash = sha256Hex(JSON.stringify(answer.config));
      return { result: 'applied', cfg: configHash };
    },
    // The service's word relayed by the fleet: the machine reads that payment at once.
    onPaymentPush: (reference, state) => machine.paymentPushed(reference, state),
    ...(options.timing ? { timing: options.timing } : {}),
  });
  machine.onChange(() => link.changed());
  link.start();
  return link;
}
