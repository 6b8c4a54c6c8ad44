// The simulator's clock is the computer's, already set.
import type { ClockSync, ClockSyncOptions } from 'hosts/moddable/link-types';

export function startClockSync(options: ClockSyncOptions): ClockSync {
  options.onSet();
  return { set: true, networkUp() {}, stop() {} };
}
