// The same encoder and pixel loop, run on the XS engine, must leave the same bytes on the screen as on Node.
import assert from 'node:assert/strict';
import { PixelFormat } from 'qr/pixel-sink';
import { drawingDigests } from '../support/qr-fixtures';
import { runXs } from '../support/xs';

describe('QR drawing on XS and on Node', function () {
  this.timeout(120_000);

  it('produces identical matrices and framebuffer bytes for every test text, in both byte orders', async () => {
    const formats = [PixelFormat.RGB565LE, PixelFormat.RGB565BE];
    const { lines } = await runXs(`
      import { drawingDigests } from './tests/support/qr-fixtures';
      for (const line of drawingDigests(${JSON.stringify(formats)})) print(line);
      print('done');
    `);
    assert.equal(lines.at(-1), 'done', `XS run did not finish: ${lines.at(-1)}`);
    const onXs = lines.slice(0, -1);
    const onNode = drawingDigests(formats);
    assert.equal(onXs.length, onNode.length);
    assert.deepEqual(onXs, onNode);
  });
});
