import assert from 'node:assert/strict';
import http from 'node:http';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { createBody, json, newReference, request, useEmulator } from './helpers';

function getBinary(url: string): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(parts) }));
    }).on('error', reject);
  });
}

/** Reads the QR back from RGBA pixels, as a phone camera would. */
function decode(rgba: Uint8ClampedArray, width: number, height: number): string | undefined {
  return jsQR(rgba, width, height)?.data;
}

/** Rasterises the emulator's SVG (one unit square per dark module) at 6 px per unit. */
function rasterizeSvg(svg: string): { rgba: Uint8ClampedArray; size: number } {
  const extent = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)![1]);
  const scale = 6;
  const size = extent * scale;
  const rgba = new Uint8ClampedArray(size * size * 4).fill(255);
  for (const [, x, y] of svg.matchAll(/M(\d+),(\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const offset = ((Number(y) * scale + dy) * size + Number(x) * scale + dx) * 4;
        rgba[offset] = rgba[offset + 1] = rgba[offset + 2] = 0;
      }
    }
  }
  return { rgba, size };
}

describe('emulator: QR images, the phone page and the tester page', () => {
  const context = useEmulator({ merchantName: 'Kiosk <Nord>' });
  beforeEach(async () => {
    await context.client.fetchToken();
  });

  it('TEXT/TARGETURL: the redirectUrl is the target URL; opening it is scanning: the phone page with merchant, amount, description', async () => {
    const { client, emulator } = context;
    const reference = newReference();
    const created = json(await client.create(createBody(reference, { paymentDescription: 'Cola <0.5 l>' })));
    const page = await request(created.redirectUrl as string);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.ok(page.body.includes('Kiosk &lt;Nord&gt;'), 'the merchant, escaped');
    assert.ok(page.body.includes('25.00 NOK'));
    assert.ok(page.body.includes('Cola &lt;0.5 l&gt;'), 'the description, escaped');
    assert.ok(!page.body.includes('<0.5 l>'));
    assert.match(page.body, /id="approve"/);
    assert.match(page.body, /id="reject"/);
    // The customer is now in the app: a cancel would be refused until they act.
    assert.equal(emulator.payment(reference)!.customerAuthorizing, true);
    // The buttons call the admin API.
    const approved = await request(`${emulator.baseUrl}/emulator/payments/${reference}/approve`, { method: 'POST' });
    assert.equal(json(approved).state, 'AUTHORIZED');
    const after = await request(created.redirectUrl as string);
    assert.ok(!after.body.includes('id="approve"'));
    assert.match(after.body, /AUTHORIZED/);
  });

  it('IMAGE/PNG: the redirectUrl serves a PNG of the requested size that decodes to the target URL', async () => {
    const { client, emulator } = context;
    const reference = newReference();
    const created = json(await client.create(createBody(reference, { qrFormat: { format: 'IMAGE/PNG', size: 300 } })));
    const image = await getBinary(created.redirectUrl as string);
    assert.equal(image.status, 200);
    assert.equal(image.type, 'image/png');
    const png = PNG.sync.read(image.body);
    assert.equal(png.width, 300);
    assert.equal(png.height, 300);
    assert.equal(decode(new Uint8ClampedArray(png.data), png.width, png.height), emulator.payment(reference)!.targetUrl);
  });

  it('IMAGE/SVG+XML (the default): the redirectUrl serves an SVG that decodes to the target URL', async () => {
    const { client, emulator } = context;
    const reference = newReference();
    const created = json(await client.create(createBody(reference, { qrFormat: undefined })));
    assert.match(created.redirectUrl as string, /\.svg$/);
    const image = await getBinary(created.redirectUrl as string);
    assert.equal(image.type, 'image/svg+xml');
    const { rgba, size } = rasterizeSvg(image.body.toString('utf8'));
    assert.equal(decode(rgba, size, size), emulator.payment(reference)!.targetUrl);
  });

  it('answers 404 for a QR image or phone page of no payment, and 400 for a PNG size outside 100-2000', async () => {
    const { client, emulator } = context;
    assert.equal((await request(`${emulator.baseUrl}/emulator/pay/nothing-here`)).status, 404);
    assert.equal((await request(`${emulator.baseUrl}/emulator/qr/nothing-here.png`)).status, 404);
    const reference = newReference();
    await client.create(createBody(reference));
    const token = emulator.payment(reference)!.token;
    assert.equal((await request(`${emulator.baseUrl}/emulator/qr/${token}.png?size=50`)).status, 400);
  });

  it('serves the tester page at /, which lists payments live through the admin API', async () => {
    const { emulator } = context;
    const page = await request(`${emulator.baseUrl}/`);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<title>ePayment emulator<\/title>/);
    for (const path of ['/emulator/payments', '/emulator/clock/advance', '/emulator/counters']) assert.ok(page.body.includes(path), path);
    for (const action of ['approve', 'reject', 'expire']) assert.ok(page.body.includes(`'${action}'`), action);
    assert.ok(page.body.includes('Kiosk &lt;Nord&gt;'));
  });
});
