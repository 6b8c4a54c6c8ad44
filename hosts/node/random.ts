// The Random port on Node's cryptographic generator.
import { randomInt } from 'node:crypto';
import type { Random } from 'ports/random';

export const cryptoRandom: Random = {
  uint32: () => randomInt(0, 2 ** 32),
};
