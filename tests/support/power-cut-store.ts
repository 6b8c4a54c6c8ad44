// A KeyValueStore that loses power at a chosen write, for the journal's fault-matrix tests. The
// cut write throws PowerCut, and so does every call after it: the machine is dead. The test then
// "reboots" by building new objects over the inner store, which holds what the flash held.
import type { KeyValueStore } from 'ports/store';

/**
 * How the cut write ends:
 * - 'before': nothing written, the old value stays;
 * - 'lost': the key erased, the new value not written (Preference on the ESP32 erases first);
 * - 'torn': a prefix of the new value stored (a file store's half-written file);
 * - 'after': written completely, then the power goes.
 */
export type CutKind = 'before' | 'lost' | 'torn' | 'after';
export const CUT_KINDS: readonly CutKind[] = ['before', 'lost', 'torn', 'after'];

export class PowerCut extends Error {
  override name = 'PowerCut';
}

export class PowerCutStore implements KeyValueStore {
  /** set calls that reached this store, the cut one included. */
  writes = 0;
  /** Called at the cut, before it throws: the test silences the dead machine's I/O at that instant. */
  onCut: (() => void) | undefined;
  private readonly inner: KeyValueStore;
  private cutAt = 0;
  private how: CutKind = 'before';
  private tornLength: number | undefined;
  private dead = false;

  constructor(inner: KeyValueStore) {
    this.inner = inner;
  }

  /**
   * The n-th set from now (1-based) is cut. For 'torn', `tornLength` characters of the new value
   * are kept (default: half).
   */
  cutAtWrite(n: number, how: CutKind, tornLength?: number): void {
    this.cutAt = this.writes + n;
    this.how = how;
    this.tornLength = tornLength;
  }

  get isDead(): boolean {
    return this.dead;
  }

  get(key: string): string | undefined {
    this.alive();
    return this.inner.get(key);
  }

  set(key: string, value: string): void {
    this.alive();
    this.writes++;
    if (this.writes !== this.cutAt) {
      this.inner.set(key, value);
      return;
    }
    if (this.how === 'lost') this.inner.delete(key);
    else if (this.how === 'torn') this.inner.set(key, value.slice(0, this.tornLength ?? Math.floor(value.length / 2)));
    else if (this.how === 'after') this.inner.set(key, value);
    this.dead = true;
    this.onCut?.();
    throw new PowerCut(`power cut at write ${this.writes} (${this.how}) of "${key}"`);
  }

  delete(key: string): void {
    this.alive();
    this.inner.delete(key);
  }

  private alive(): void {
    if (this.dead) throw new PowerCut('the machine is off');
  }
}
