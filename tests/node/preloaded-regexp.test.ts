// The Moddable SDK (8.2.3) runs a RegExp made while a module was preloaded (kept in flash/ROM, with
// no room for its match data) on match data that fxAllocateRegExpData (xs/sources/xsre.c) allocates
// with a missing `else`: a GC chunk that is then replaced by c_malloc memory. A garbage collection
// during that exec marks and "moves" the malloc block as if it were a chunk: the data pointer
// becomes garbage and the app crashes (seen in the simulator in readToken's test of the 1.5 KB
// access token). A RegExp literal evaluated at run time (inside a function) is made in RAM with its
// own chunk and is safe. So the firmware's sources keep no RegExp at module level.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(name) && !/\.(test|d)\.ts$/.test(name) ? [path] : [];
  });
}

describe('no RegExp made at module level in the firmware (the SDK\'s preloaded-RegExp crash)', () => {
  it('src, modules and hosts/moddable make their regular expressions inside functions', () => {
    const offenders: string[] = [];
    for (const path of [...sources('src'), ...sources('modules'), ...sources('hosts/moddable')]) {
      readFileSync(join(ROOT, path), 'utf8').split('\n').forEach((line, index) => {
        if (/^(export\s+)?(const|let|var)\s+[\w$]+(\s*:\s*RegExp)?\s*=\s*(\/[^/*]|new RegExp)/.test(line)) offenders.push(`${path}:${index + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(offenders, []);
  });
});
