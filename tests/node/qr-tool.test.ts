// `npm run qr`: the PNG it writes is what the payment screen shows, and a decoder reads the text back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { projectRoot } from '../support/xs';

const run = promisify(execFile);
const tsx = join(projectRoot, 'node_modules/.bin/tsx');

describe('npm run qr', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'qr-tool-'));

  for (const flags of [[], ['--big-endian']]) {
    it(`writes a 240x320 PNG that decodes to the text ${flags.join(' ')}`, async () => {
      const text = 'https://qr.vipps.no/28/2/05/031/4795xx?v=1&msg=Smørbrød 🥪';
      const out = join(dir, `screen${flags.length}.png`);
      const { stdout } = await run(tsx, ['tools/qr.ts', text, '--out', out, ...flags], { cwd: projectRoot });
      assert.match(stdout, /version \d+ \(\d+ modules\), scale \d+/);
      const png = PNG.sync.read(readFileSync(out));
      assert.deepEqual([png.width, png.height], [240, 320]);
      assert.equal(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data, text);
    });
  }

  it('fails with a clear message and exit code 1 for an empty text', async () => {
    await assert.rejects(run(tsx, ['tools/qr.ts', '', '--out', join(dir, 'x.png')], { cwd: projectRoot }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /QR text is empty/);
      return true;
    });
  });

  it('says so when the --out folder does not exist, instead of a stack trace (exit 1)', async () => {
    const out = join(dir, 'missing', 'screen.png');
    await assert.rejects(run(tsx, ['tools/qr.ts', 'hello', '--out', out], { cwd: projectRoot }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /^qr: cannot write .*screen\.png: the folder .*missing does not exist/);
      assert.doesNotMatch(error.stderr, /\n\s+at /, 'no stack trace');
      return true;
    });
  });

  it('warns when the QR falls under scale 2, and not above it', async () => {
    const out = join(dir, 'long.png');
    const long = await run(tsx, ['tools/qr.ts', 'x'.repeat(900), '--out', out], { cwd: projectRoot });
    assert.match(long.stdout, /scale 1,/);
    assert.match(long.stderr, /warning: scale 1: .* shorten the text \(900 bytes\) so that it fits at scale 2/);
    const short = await run(tsx, ['tools/qr.ts', 'x'.repeat(300), '--out', out], { cwd: projectRoot });
    assert.match(short.stdout, /scale 2,/);
    assert.equal(short.stderr, '');
  });

  it('fails with exit code 2 and the usage without a text', async () => {
    await assert.rejects(run(tsx, ['tools/qr.ts'], { cwd: projectRoot }), (error: { code: number; stderr: string }) => error.code === 2 && /usage/.test(error.stderr));
  });
});
