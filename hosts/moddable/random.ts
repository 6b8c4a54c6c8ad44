// The Random port. On the ESP32, Math.random is the hardware RNG: XS's c_rand is esp_random(),
// 31 bits a call (truly random while Wi-Fi or Bluetooth runs, which it does here). The SDK's
// `crypt` RNG module ("rng") is only an RC4 stream seeded from 16 of those calls: no better. In the
// simulator on Linux, c_rand is libc rand(), never seeded: Math.random gives the same sequence on
// every start, and two runs would make the same payment references. So each value is mixed (XOR)
// with a generator seeded from the wall clock at first use; XOR with an independent uniform value
// keeps the hardware value's randomness on the device.
import Time from 'time';
import type { Random } from 'ports/random';

/** 16 bits from Math.random: the top bits of the 31-bit hardware value on the ESP32. */
function hardware16(): number {
  return Math.floor(Math.random() * 0x10000);
}

let state: number | undefined;

/** Mulberry32, seeded once from the wall clock and the tick counter. */
function seeded(): number {
  state = ((state ?? (Date.now() ^ Math.imul(Time.ticks | 0, 0x9e3779b1))) + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

export const moddableRandom: Random = {
  uint32: () => ((((hardware16() << 16) | hardware16()) ^ seeded()) >>> 0),
};
