// The last good configuration's outputs, kept in the machine's store: with a bad configuration
// (E01) no product exists, but the pins its drivers hang on must not float, so the machine creates
// these outputs in their off state first and never pulses them. Stored as `26,27!` (pin, `!` for
// active-low) under one key, written only when it changes.
import type { OutputSpec } from 'ports/io';
import type { KeyValueStore } from 'ports/store';
import type { MachineConfig } from 'app/config/machine-config';

export const LAST_OUTPUTS_KEY = 'outpins';

export function encodeOutputs(outputs: readonly OutputSpec[]): string {
  return outputs.map((output) => `${output.pin}${output.activeLow ? '!' : ''}`).join(',');
}

/** The outputs in a stored value; anything unreadable is skipped (a damaged value leaves the rest). */
export function decodeOutputs(text: string | undefined): OutputSpec[] {
  const outputs: OutputSpec[] = [];
  for (const part of (text ?? '').split(',')) {
    const match = /^(\d{1,2})(!?)$/.exec(part.trim());
    if (match && !outputs.some((output) => output.pin === Number(match[1]))) outputs.push({ pin: Number(match[1]), activeLow: match[2] === '!' });
  }
  return outputs;
}

export function configOutputs(config: MachineConfig): OutputSpec[] {
  return config.catalog.map((product) => ({ pin: product.output.pin, activeLow: product.output.activeLow }));
}

/** Keeps a good configuration's outputs; false when the store refused (the caller logs it). */
export function rememberOutputs(store: KeyValueStore, config: MachineConfig): boolean {
  const text = encodeOutputs(configOutputs(config));
  try {
    if (store.get(LAST_OUTPUTS_KEY) !== text) store.set(LAST_OUTPUTS_KEY, text);
    return true;
  } catch {
    return false;
  }
}

export function lastGoodOutputs(store: KeyValueStore): OutputSpec[] {
  try {
    return decodeOutputs(store.get(LAST_OUTPUTS_KEY));
  } catch {
    return [];
  }
}
