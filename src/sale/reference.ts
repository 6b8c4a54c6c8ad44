// Payment references, unique on this machine forever: `<posId>-<counter>-<random>`. The counter is
// persisted in the journal before the reference is used, so a reboot never reuses one; the random
// part keeps references apart even if the store is wiped and the counter starts over.
import type { Random } from 'ports/random';

const RANDOM_DIGITS = 6;
const BASE36_6 = 36 ** RANDOM_DIGITS;

export function makeReference(posId: string, counter: number, random: Random): string {
  // Two draws: one uint32 is not quite 36^6 values, and modulo of a smaller range stays even enough.
  const draw = (random.uint32() * 4096 + (random.uint32() & 0xfff)) % BASE36_6;
  return `${posId}-${counter}-${draw.toString(36).padStart(RANDOM_DIGITS, '0')}`;
}
