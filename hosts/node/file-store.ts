// The KeyValueStore on the desktop: one file per key in a folder, with the device's limits
// (MemoryStore's checks). A write goes to a temporary file that is flushed and renamed over the
// old one, so a kill in the middle of a write leaves the previous value, never half of the new one.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStore } from 'journal/memory-store';
import type { KeyValueStore } from 'ports/store';

// Keys are [A-Za-z0-9._-]; anything else is escaped so a key can never name another path.
function fileName(key: string): string {
  return `${key.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}.value`;
}

export class FileStore implements KeyValueStore {
  /** Checks key and value limits exactly as the device would. */
  private readonly limits = new MemoryStore();
  writes = 0;

  constructor(readonly folder: string) {
    mkdirSync(folder, { recursive: true });
    // A temporary file left by a kill is not a value.
    for (const name of readdirSync(folder)) if (name.endsWith('.tmp')) rmSync(join(folder, name), { force: true });
  }

  get(key: string): string | undefined {
    this.limits.get(key);
    try {
      return readFileSync(join(this.folder, fileName(key)), 'utf8');
    } catch {
      return undefined;
    }
  }

  set(key: string, value: string): void {
    this.limits.set(key, value);
    const target = join(this.folder, fileName(key));
    const temporary = `${target}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, value);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, target);
    this.writes++;
  }

  /** What the file system has left for this user. */
  freeBytes(): number | undefined {
    try {
      const stats = statfsSync(this.folder);
      return stats.bavail * stats.bsize;
    } catch {
      return undefined;
    }
  }

  delete(key: string): void {
    this.limits.get(key);
    rmSync(join(this.folder, fileName(key)), { force: true });
  }
}
