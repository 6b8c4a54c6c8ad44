// The device has no test driver: nothing taps by itself on a real machine.
import type { TestDriverLike, TestHooks } from 'hosts/moddable/link-types';

export function startTestDriver(_hooks: TestHooks): TestDriverLike | undefined {
  return undefined;
}
