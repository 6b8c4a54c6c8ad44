// Saving and reloading the emulator's memory: payments, remembered idempotent answers, issued tokens
// and the clock offset. A restarted emulator then answers a device's retries (same key, same body)
// and its cached token exactly as before the restart, and still delivers the webhooks it owed.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SavedIdempotency } from './idempotency';
import type { SavedToken } from './tokens';
import type { PaymentRecord, SavedWebhookDelivery, WebhookRegistration } from './types';

export interface SavedState {
  version: 1;
  savedAt: string;
  clockOffsetMs: number;
  payments: PaymentRecord[];
  idempotency: SavedIdempotency[];
  tokens: SavedToken[];
  /** Absent in files saved before the Webhooks API. */
  webhooks?: WebhookRegistration[];
  /** Deliveries still owed when it was saved: a restarted emulator sends them, as the service retries. */
  webhookDeliveries?: SavedWebhookDelivery[];
}

export function writeState(file: string, state: Omit<SavedState, 'version' | 'savedAt'>): void {
  mkdirSync(dirname(file), { recursive: true });
  const saved: SavedState = { version: 1, savedAt: new Date().toISOString(), ...state };
  // Written aside and renamed, so that a crash mid-write never leaves half a file to load.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(saved, null, 2)}\n`);
  renameSync(temporary, file);
}

/** The saved state, or undefined when the file does not exist yet. */
export function readState(file: string): SavedState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const state = JSON.parse(text) as SavedState;
  if (state.version !== 1) throw new Error(`${file}: unknown state file version ${String(state.version)}`);
  return state;
}
