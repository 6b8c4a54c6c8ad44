// The simulator's network: the computer's, always up. (Drops are the emulator's faults' business.)
import type { NetworkLink, NetworkOptions } from 'hosts/moddable/link-types';

export function startNetwork(options: NetworkOptions): NetworkLink {
  options.onChange(true);
  return { up: true, stop() {} };
}
