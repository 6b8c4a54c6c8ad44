// The machine configuration on the device: the same JSON document as on the desktop. The build
// carries a default (the `machine.json` data resource the manifest makes from
// config/sample-machine.json), which `mcconfig ... machine=<json>` replaces and
// `mcconfig ... machine.<field>=<value>` amends field by field (mc/config values arrive as
// strings: each is read as JSON when it parses, else kept as text). A configuration provisioned
// over the serial line (provision.ts) is kept in Preference (stored-config.ts) and replaces the
// build's, so prices, products and sold-out flags change without a new build. Either way the
// controller validates it; an invalid one puts the machine out of service ('config'), never falls
// back to other prices.
import config from 'mc/config';
import Resource from 'Resource';
import { applyOverrides, type StoredConfig } from 'hosts/moddable/stored-config';

/** The build's default document (manifest `data`). */
export const DEFAULT_CONFIG_RESOURCE = 'machine.json';

export type ConfigSource = 'provisioned' | 'build';

export interface LoadedConfig {
  /** What the controller validates: the parsed document, or undefined when none could be read. */
  raw: unknown;
  source: ConfigSource;
  /** Why the document is unusable, when it is (the controller says so too). */
  problem?: string;
}

/** The build's document: the resource, or `machine` from mc/config, amended by `machine.<field>` settings. */
export function buildConfig(settings: Record<string, unknown> = config as Record<string, unknown>): LoadedConfig {
  let raw: unknown;
  try {
    const replaced = settings.machine;
    if (typeof replaced === 'string') raw = JSON.parse(replaced);
    else if (replaced !== undefined && typeof replaced === 'object') raw = replaced;
    else raw = JSON.parse(String.fromArrayBuffer(new Resource(DEFAULT_CONFIG_RESOURCE).slice(0)));
  } catch (error) {
    return { raw: undefined, source: 'build', problem: `build configuration: ${(error as Error).message}` };
  }
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) applyOverrides(raw as Record<string, unknown>, settings);
  return { raw, source: 'build' };
}

/** What the machine runs with: the provisioned document when there is one, else the build's. */
export function loadMachineConfig(stored: StoredConfig, settings?: Record<string, unknown>): LoadedConfig {
  let text: string | undefined;
  try {
    text = stored.read();
  } catch (error) {
    return { raw: undefined, source: 'provisioned', problem: (error as Error).message };
  }
  if (text === undefined) return buildConfig(settings);
  try {
    return { raw: JSON.parse(text), source: 'provisioned' };
  } catch {
    return { raw: undefined, source: 'provisioned', problem: 'stored configuration is not valid JSON' };
  }
}
