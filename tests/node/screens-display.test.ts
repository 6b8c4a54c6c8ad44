// The screens drawn with the real fonts into the desktop framebuffer: every screen in every
// language keeps its text in its boxes; the payment QR reads back from the whole screen; a
// countdown tick redraws only its box and never the QR; touches land on what is drawn there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import jsQR from 'jsqr';
import { LANGUAGES } from 'app/config/machine-config';
import { validateMachineConfig } from 'app/config/validate';
import type { MachineView, SaleScreen } from 'app/sale/view';
import { changedBoxes } from 'app/screens/changed-boxes';
import type { Box } from 'app/screens/display-list';
import { hitTest } from 'app/screens/hit-test';
import { DANGER } from 'app/screens/palette';
import { SAMPLE_PAYMENT_URL, sampleScreens } from 'app/screens/samples';
import { screen } from 'app/screens/screen';
import { PAYMENT_QR_BOX, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { PixelFormat } from 'qr/pixel-sink';
import { Display, loadScreenFonts, textOrigin } from '../../hosts/node/display';
import { drawText } from '../../hosts/node/text-renderer';
import { Framebuffer } from '../../hosts/node/framebuffer';
import { layoutProblems } from '../core/screens-support';

const NOW = 1_700_000_000_000;
const config = validateMachineConfig(JSON.parse(readFileSync(new URL('../../config/sample-machine.json', import.meta.url), 'utf8')));
const fonts = loadScreenFonts();
const context = { config, fonts: fonts.book };
const products = config.catalog.map((product) => ({ id: product.id, price: product.price, soldOut: product.soldOut || product.stock === 0 }));

function view(sale: SaleScreen, language: MachineView['language'] = 'nb'): MachineView {
  return { language, testMode: false, sale, products };
}

function payment(redirectUrl: string, expiresAt = NOW + 600_000): SaleScreen {
  return { screen: 'payment', product: 'chocolate', reference: 'oslo-s-vend-01-1042-k3j9x0', redirectUrl, expiresAt, cancelling: false };
}

function render(sale: SaleScreen, pixelFormat: number = PixelFormat.RGB565LE) {
  const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT, pixelFormat);
  const display = new Display(framebuffer, fonts);
  const list = screen(view(sale), NOW, context);
  display.draw(list);
  return { framebuffer, display, list };
}

function differingPixels(a: Framebuffer, b: Framebuffer): Box | undefined {
  let left = Infinity, top = Infinity, right = -1, bottom = -1;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (a.pixel(x, y) === b.pixel(x, y)) continue;
      left = Math.min(left, x); right = Math.max(right, x); top = Math.min(top, y); bottom = Math.max(bottom, y);
    }
  }
  return right < 0 ? undefined : { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

describe('screens on the desktop display, with the real fonts', function () {
  this.timeout(60_000);

  for (const language of LANGUAGES) {
    it(`${language}: every screen of the sample catalog keeps every text in its box (real font metrics)`, () => {
      const problems: string[] = [];
      for (const testMode of [false, true]) {
        for (const sample of sampleScreens(config, language, NOW, testMode)) {
          for (const problem of layoutProblems(screen(sample.view, NOW, context), fonts.book)) problems.push(`${sample.name}${testMode ? ' (test)' : ''}: ${problem}`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  it('draws no glyph pixel outside its text run\'s box, even unclipped', () => {
    const problems: string[] = [];
    for (const language of LANGUAGES) {
      for (const sample of sampleScreens(config, language, NOW, true)) {
        const list = screen(sample.view, NOW, context);
        for (const item of list.items) {
          if (item.kind !== 'text') continue;
          // Each run alone, white on black, with no clip: every lit pixel must be inside its box (give or
          // take the overhang of a glyph like "J", which the display allows for).
          const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
          const face = fonts.faces[item.font];
          const { x, y } = textOrigin(item, face);
          drawText(framebuffer, face, item.text, x, y, 0xffff);
          const lit = differingPixels(framebuffer, new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT));
          const { box } = item;
          const { left, right } = fonts.overhang[item.font];
          if (lit && (lit.x < box.x - left || lit.y < box.y || lit.x + lit.width > box.x + box.width + right || lit.y + lit.height > box.y + box.height)) {
            problems.push(`${sample.name}-${language}: "${item.text}" inks ${lit.width}x${lit.height}@${lit.x},${lit.y} outside ${box.width}x${box.height}@${box.x},${box.y}`);
          }
        }
      }
    }
    assert.deepEqual(problems.slice(0, 5), []);
  });

  const urls = {
    'the service\'s 86-character payment URL': SAMPLE_PAYMENT_URL,
    'the emulator\'s payment URL': 'http://127.0.0.1:8080/emulator/pay/Xk2vQ9mZr7LpA1bC',
  };
  for (const [name, url] of Object.entries(urls)) {
    for (const [order, format] of [['little', PixelFormat.RGB565LE], ['big', PixelFormat.RGB565BE]] as const) {
      it(`reads ${name} back from the whole payment screen (${order}-endian)`, () => {
        const { framebuffer } = render(payment(url), format);
        const decoded = jsQR(framebuffer.toRgba(), SCREEN_WIDTH, SCREEN_HEIGHT, { inversionAttempts: 'dontInvert' });
        assert.ok(decoded, 'no QR found on the screen');
        assert.equal(decoded.data, url);
      });
    }
  }

  it('draws the 86-character URL at 4 pixels a module inside the QR box', () => {
    const { framebuffer } = render(payment(SAMPLE_PAYMENT_URL));
    // A version-6 QR at scale 4 with its quiet zone is exactly the 196-pixel box: the first dark
    // module (the finder's corner) is 16 pixels in from the box's corner.
    const { x, y } = PAYMENT_QR_BOX;
    assert.equal(framebuffer.pixel(x + 15, y + 15), 0xffff);
    assert.equal(framebuffer.pixel(x + 16, y + 16), 0x0000);
    assert.equal(framebuffer.pixel(x + 16 + 27, y + 16), 0x0000); // the finder is 7 modules wide: 28 px
    assert.equal(framebuffer.pixel(x + 16 + 28, y + 16), 0xffff);
  });

  it('redraws one countdown tick in its box only, without the QR, to the same pixels as a full redraw', () => {
    const expiresAt = NOW + 600_000;
    const { framebuffer, display, list } = render(payment(SAMPLE_PAYMENT_URL, expiresAt));
    assert.equal(display.qrDraws, 1);
    const before = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
    before.bytes.set(framebuffer.bytes);
    const next = screen(view(payment(SAMPLE_PAYMENT_URL, expiresAt)), NOW + 1000, context);
    const boxes = changedBoxes(list, next);
    const sent = framebuffer.bytesSent;
    display.draw(next, boxes);
    assert.equal(display.qrDraws, 1, 'the QR was drawn again');
    assert.equal(framebuffer.bytesSent, sent, 'pixels went through the QR sink');
    const full = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
    new Display(full, fonts).draw(next);
    assert.equal(differingPixels(framebuffer, full), undefined, 'a partial redraw differs from a full one');
    const changed = differingPixels(before, framebuffer);
    assert.ok(changed, 'the tick changed nothing');
    assert.equal(boxes.length, 1);
    const [box] = boxes;
    assert.ok(changed.x >= box.x && changed.y >= box.y && changed.x + changed.width <= box.x + box.width && changed.y + changed.height <= box.y + box.height);
  });

  it('puts each touch target over what it is drawn as: Cancel over the red button', () => {
    const { framebuffer, list } = render(payment(SAMPLE_PAYMENT_URL));
    const cancel = list.targets.find((target) => target.action.type === 'cancel');
    assert.ok(cancel);
    const { box } = cancel;
    assert.equal(framebuffer.pixel(box.x + 2, box.y + 2), DANGER);
    assert.equal(framebuffer.pixel(box.x + box.width - 3, box.y + box.height - 3), DANGER);
    assert.deepEqual(hitTest(list, box.x + 2, box.y + 2, 0), { type: 'cancel' });
    assert.equal(hitTest(list, box.x - 1, box.y + 2, 0), undefined);
    assert.equal(hitTest(list, SCREEN_WIDTH / 2, PAYMENT_QR_BOX.y + 98, 0), undefined, 'the QR is not a target');
  });

  it('maps touches on the drawn idle screen to products, pages and languages', () => {
    const { list } = render({ screen: 'idle', page: 0, pages: 2 });
    assert.deepEqual(hitTest(list, 120, 65, 0), { type: 'select', product: 'water' });
    assert.deepEqual(hitTest(list, 120, 115, 0), { type: 'select', product: 'cola' });
    assert.deepEqual(hitTest(list, 200, 260, 0), { type: 'page', delta: 1 });
    assert.deepEqual(hitTest(list, 24, 300, 0), { type: 'language', language: 'nb' });
    assert.deepEqual(hitTest(list, 216, 300, 0), { type: 'language', language: 'fi' });
  });
});
