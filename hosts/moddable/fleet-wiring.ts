// The device's fleet link (docs/fleet-protocol.md): credentials provisioned on the serial console
// (`set fleet …`, kept in Preference with the other secrets), the SDK's MQTT client, the boot
// count in Preference, and catalog edits from the fleet kept with the provisioned configuration
// (stored-config: the device keeps its configuration in Preference, so an edit stays after a boot).
//
// On the device the link yields while a sale is open: the ESP32's memory holds one TLS connection
// at a time beside the sale's own (tests/node/moddable-fleet.test.ts measures it, npm run bench shows it).
import Instrumentation from 'instrumentation';
import { sha256Hex } from 'hash/sha256';
import { FleetLink, type FleetTiming } from 'fleet/link';
import type { Log } from 'ports/log';
import type { KeyValueStore } from 'ports/store';
import { fleetSource } from 'app/sale/fleet-source';
import type { VendingMachine } from 'app/sale/machine';
import { moddableClock } from 'hosts/moddable/clock';
import { moddableMqttConnect, type ModdableMqttOptions } from 'hosts/moddable/mqtt-connect';
import type { FleetSecrets } from 'hosts/moddable/secrets';
import type { StoredConfig } from 'hosts/moddable/stored-config';

/** The Preference key of the boot count (in the configuration's domain, beside the document's slots). */
export const BOOTS_KEY = 'boots';

export interface DeviceFleetOptions extends ModdableMqttOptions {
  machine: VendingMachine;
  credentials: FleetSecrets;
  firmware: string;
  /** Where the boot count is kept. */
  counters: KeyValueStore;
  storedConfig: StoredConfig;
  log: Log;
  /** Wi-Fi signal in dBm, where there is Wi-Fi. */
  rssi?: () => number | undefined;
  yieldDuringSale: boolean;
  timing?: Partial<FleetTiming>;
}

/** Counts this boot; returns the new count. */
export function countBoot(store: KeyValueStore): number {
  const boots = (Number(store.get(BOOTS_KEY) ?? '0') || 0) + 1;
  try {
    store.set(BOOTS_KEY, String(boots));
  } catch {
    // a full NVS costs the count, not the boot
  }
  return boots;
}

/** Free heap bytes where the build has instruments (debug builds); undefined elsewhere. */
function freeHeap(): number | undefined {
  const index = Instrumentation.map('System Free Memory');
  if (index === undefined) return undefined;
  const value = Instrumentation.get(index);
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** Makes the link (not started: main.ts starts it once the network and the clock are there), or undefined without a configuration. */
export function makeDeviceFleetLink(options: DeviceFleetOptions): FleetLink | undefined {
  const { machine, log } = options;
  const config = machine.config;
  if (!config) {
    log.warn('fleet: no link without a valid configuration');
    return undefined;
  }
  const bootCount = countBoot(options.counters);
  let configHash = sha256Hex(JSON.stringify(config));
  const link = new FleetLink({
    posId: config.posId,
    credentials: options.credentials,
    connect: moddableMqttConnect({
      ...(options.certificate ? { certificate: options.certificate } : {}),
      ...(options.dnsServers ? { dnsServers: options.dnsServers } : {}),
    }),
    source: fleetSource(machine, {
      firmware: options.firmware,
      configHash: () => configHash,
      bootCount,
      currency: config.currency,
      freeHeap,
      ...(options.rssi ? { rssi: options.rssi } : {}),
    }),
    clock: moddableClock,
    wallTime: () => Date.now(),
    log,
    yieldDuringSale: options.yieldDuringSale,
    applyConfig(products) {
      const answer = machine.applyCatalog(products);
      if (answer.result !== 'applied') return answer;
      const text = JSON.stringify(answer.config);
      const problem = options.storedConfig.write(text);
      // Applied now either way; kept only if Preference took it (else the next boot has the old one).
      if (problem) log.warn(`fleet: catalog edit applied but not kept: ${problem}`);
      configHash = sha256Hex(text);
      return { result: 'applied', cfg: configHash };
    },
    // The service's word relayed by the fleet: the machine reads that payment at once. A link that
    // yields during sales hears no push then; polling alone completes those sales.
    onPaymentPush: (reference, state) => machine.paymentPushed(reference, state),
    ...(options.timing ? { timing: options.timing } : {}),
  });
  machine.onChange(() => link.changed());
  return link;
}
