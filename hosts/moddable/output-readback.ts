// The once-at-boot read-back of an output just created in its off state (pins.ts). An SDK without
// Digital's activeLow/initialValue (before 8.2.0; the build refuses one) drives the pin low before
// it becomes an output, which is ON for an active-low driver. What a read of an output returns
// depends on the SDK's port (on the ESP32 in 8.2.x an output has no input path and reads 0): a
// read that throws, or that says the pin is active, is reported; a clean read proves no more than
// that the SDK keeps the logical level it was given. Pure, with no Moddable import.

/** A problem line for an output that does not read back off, or undefined when it does. */
export function outputReadback(pin: number, activeLow: boolean, read: () => number): string | undefined {
  let level: number;
  try {
    level = read();
  } catch (error) {
    return `output ${pin}: cannot be read back after it was created off (${(error as Error).message}); check the SDK (8.2.0 or later) and the driver`;
  }
  if (level === 0) return undefined;
  return `output ${pin}: reads back ${activeLow ? 'active (low)' : 'active (high)'} right after it was created off: the SDK may ignore activeLow/initialValue (8.2.0 or later needed) or the pin is held by something else`;
}
