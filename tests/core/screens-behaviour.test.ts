// What the screens do: touches map to actions, only changed boxes are redrawn, texts are made safe,
// and each screen says what its state means (and nothing more).
import assert from 'node:assert/strict';
import type { MachineView, SaleScreen } from 'app/sale/view';
import { changedBoxes } from 'app/screens/changed-boxes';
import type { DisplayList, TextItem } from 'app/screens/display-list';
import { hitTest } from 'app/screens/hit-test';
import { screen } from 'app/screens/screen';
import { fitText, sanitize, wrapText } from 'app/format/text';
import { formatCountdown, formatLogTime, secondsLeft } from 'app/format/time';
import { FULL_SCREEN, PAYMENT_QR_BOX, SERVICE_HOLD_MS } from 'app/layout';
import { SAMPLE_PAYMENT_URL } from 'app/screens/samples';
import { TEXTS } from 'app/texts/index';
import { allText, standInFonts, testConfig } from './screens-support';

const NOW = 1_700_000_000_000;
const config = testConfig();
const context = { config, fonts: standInFonts };
const products = config.catalog.map((product) => ({ id: product.id, price: product.price, soldOut: product.soldOut || product.stock === 0 }));

function view(sale: SaleScreen, language: MachineView['language'] = 'nb'): MachineView {
  return { language, testMode: false, sale, products };
}

function centre(list: DisplayList, text: string): [number, number] {
  const item = list.items.find((candidate): candidate is TextItem => candidate.kind === 'text' && candidate.text === text);
  assert.ok(item, `no "${text}" on ${list.screen}`);
  return [item.box.x + (item.box.width >> 1), item.box.y + (item.box.height >> 1)];
}

const payment = (expiresAt: number, cancelling = false): SaleScreen =>
  ({ screen: 'payment', product: 'chocolate', reference: 'oslo-s-vend-01-7-abc123', redirectUrl: SAMPLE_PAYMENT_URL, expiresAt, cancelling });

describe('screens: touch', () => {
  it('selects an available product, and nothing for a sold-out one', () => {
    const list = screen(view({ screen: 'idle', page: 0, pages: 2 }), NOW, context);
    assert.deepEqual(hitTest(list, ...centre(list, 'Farris 0,5 l'), 0), { type: 'select', product: 'water' });
    const [x, y] = centre(list, 'Ørepropper');
    assert.deepEqual(hitTest(list, x, y, 0), { type: 'select', product: 'earbuds' });
    const second = screen(view({ screen: 'idle', page: 1, pages: 2 }), NOW, context);
    assert.equal(hitTest(second, ...centre(second, 'Energidrikk 0,33 l'), 0), undefined);
  });

  it('pages forward on the first page and back on the last, never past the ends', () => {
    const first = screen(view({ screen: 'idle', page: 0, pages: 2 }), NOW, context);
    assert.deepEqual(hitTest(first, ...centre(first, 'Neste \u203a'), 0), { type: 'page', delta: 1 });
    assert.equal(hitTest(first, ...centre(first, '\u2039 Forrige'), 0), undefined);
    const last = screen(view({ screen: 'idle', page: 1, pages: 2 }), NOW, context);
    assert.deepEqual(hitTest(last, ...centre(last, '\u2039 Forrige'), 0), { type: 'page', delta: -1 });
    assert.equal(hitTest(last, ...centre(last, 'Neste \u203a'), 0), undefined);
  });

  it('switches language from the switch, which lists the offered languages', () => {
    const list = screen(view({ screen: 'idle', page: 0, pages: 2 }), NOW, context);
    for (const [label, language] of [['EN', 'en'], ['SV', 'sv'], ['DA', 'da'], ['FI', 'fi'], ['NO', 'nb']] as const) {
      assert.deepEqual(hitTest(list, ...centre(list, label), 0), { type: 'language', language });
    }
    const single = screen(view({ screen: 'idle', page: 0, pages: 2 }), NOW, { config: testConfig({ languages: ['fi'] }), fonts: standInFonts });
    assert.ok(!single.targets.some((target) => target.action.type === 'language'));
  });

  it('enters service mode only on a long press of the top-left corner', () => {
    for (const sale of [{ screen: 'idle', page: 0, pages: 1 }, { screen: 'out-of-service', reason: 'network' }] as SaleScreen[]) {
      const list = screen(view(sale), NOW, context);
      assert.equal(hitTest(list, 10, 10, 200), undefined, sale.screen);
      assert.equal(hitTest(list, 10, 10, SERVICE_HOLD_MS - 1), undefined, sale.screen);
      assert.deepEqual(hitTest(list, 10, 10, SERVICE_HOLD_MS), { type: 'service' }, sale.screen);
    }
    const paying = screen(view(payment(NOW + 60_000)), NOW, context);
    assert.equal(hitTest(paying, 10, 10, 10_000), undefined);
  });

  it('cancels from the payment screen, and not while the cancel is on its way', () => {
    const list = screen(view(payment(NOW + 60_000)), NOW, context);
    assert.deepEqual(hitTest(list, ...centre(list, 'Avbryt'), 0), { type: 'cancel' });
    const cancelling = screen(view(payment(NOW + 60_000, true)), NOW, context);
    assert.equal(hitTest(cancelling, ...centre(cancelling, 'Avbryter…'), 0), undefined);
    assert.ok(list.targets.every((target) => target.box.height >= 40));
  });

  it('dismisses result screens with OK', () => {
    const list = screen(view({ screen: 'thank-you', product: 'water', reference: 'oslo-s-vend-01-7-abc123' }), NOW, context);
    assert.deepEqual(hitTest(list, ...centre(list, 'OK'), 0), { type: 'dismiss' });
  });

  it('maps the PIN pad to digits, clear and enter, and locks it after three wrong tries', () => {
    const pad = screen(view({ screen: 'service-pin', digits: 2, wrong: false }), NOW, context);
    for (let digit = 0; digit <= 9; digit++) assert.deepEqual(hitTest(pad, ...centre(pad, String(digit)), 0), { type: 'pin-digit', digit });
    assert.deepEqual(hitTest(pad, ...centre(pad, 'Slett'), 0), { type: 'pin-clear' });
    assert.deepEqual(hitTest(pad, ...centre(pad, 'OK'), 0), { type: 'pin-enter' });
    assert.deepEqual(hitTest(pad, 20, 20, 0), { type: 'back' });
    assert.ok(!allText(pad).match(/\d{2}/), 'digits are never shown');
    const locked = screen(view({ screen: 'service-pin', digits: 0, wrong: true, lockedUntil: NOW + 90_000 }), NOW, context);
    assert.equal(hitTest(locked, ...centre(locked, '5'), 0), undefined);
    assert.match(allText(locked), /Låst 01:30/);
  });

  it('offers every menu item, test-fire, restock and refund per product or sale', () => {
    const menu = screen(view({ screen: 'service-menu' }), NOW, context);
    assert.deepEqual(menu.targets.map((target) => target.action), ['outputs', 'restock', 'status', 'log', 'refund', 'pin', 'exit'].map((item) => ({ type: 'menu', item })));
    const fired = (page: number) => screen(view({ screen: 'service-outputs', page, pages: 2 }), NOW, context).targets
      .filter((target) => target.action.type === 'fire').map((target) => (target.action as { product: string }).product);
    assert.deepEqual([...fired(0), ...fired(1)], config.catalog.map((product) => product.id));
    assert.ok(fired(0).length <= 5);
    const restock = screen(view({ screen: 'service-restock', page: 0, pages: 2 }), NOW, context);
    const actions = restock.targets.map((target) => target.action);
    assert.deepEqual(actions.filter((action) => action.type === 'restock' && action.product === 'water'), [{ type: 'restock', product: 'water', delta: -1 }, { type: 'restock', product: 'water', delta: 1 }]);
    assert.ok(actions.some((action) => action.type === 'toggle-sold-out' && action.product === 'chocolate'));
    const candidates = [{ time: 1_764_583_500, product: 'water', amount: 3500, reference: 'oslo-s-vend-01-9-zz11aa', outcome: 'captured' as const }];
    const refund = screen(view({ screen: 'service-refund', candidates, page: 0, pages: 1 }), NOW, context);
    assert.deepEqual(refund.targets.filter((target) => target.action.type === 'refund').map((target) => target.action), [{ type: 'refund', reference: 'oslo-s-vend-01-9-zz11aa' }]);
  });
});

describe('screens: what they say', () => {
  it('says "nothing was charged" on the error screen only when the service says so', () => {
    const no = allText(screen(view({ screen: 'error', product: 'water', reference: 'oslo-s-vend-01-7-abc123', charged: 'no' }, 'en'), NOW, context));
    const unknown = allText(screen(view({ screen: 'error', product: 'water', reference: 'oslo-s-vend-01-7-abc123', charged: 'unknown' }, 'en'), NOW, context));
    assert.match(no, /Nothing was charged/);
    assert.doesNotMatch(unknown, /charged/i);
    assert.doesNotMatch(allText(screen(view({ screen: 'reversing', product: 'water', reference: 'r-12345678' }, 'en'), NOW, context)), /charged/i);
  });

  it('shows the reference and the operator contact on result and error screens', () => {
    for (const name of ['thank-you', 'not-charged', 'cancelled', 'expired', 'aborted', 'reversing'] as const) {
      const text = allText(screen(view({ screen: name, product: 'water', reference: 'oslo-s-vend-01-7-abc123' }), NOW, context)).replace(/\n/g, ' ');
      assert.match(text, /oslo-s-vend-01-7-abc123/, name);
      assert.match(text, /\+47 22 00 00 00/, name);
    }
  });

  it('shows the reason code when out of service', () => {
    const text = allText(screen(view({ screen: 'out-of-service', reason: 'clock', detail: 'SNTP\u0007 timeout' }), NOW, context));
    assert.match(text, /Kode E04: SNTP timeout/);
  });

  it('says when the touch panel is gone (E11), in every language', () => {
    for (const language of ['nb', 'en', 'sv', 'da', 'fi'] as const) {
      const text = allText(screen(view({ screen: 'out-of-service', reason: 'touch' }, language), NOW, context)).replace(/\n/g, ' ');
      assert.ok(text.includes(TEXTS[language].outOfServiceTouch), language);
      assert.match(text, /E11/, language);
    }
  });

  it('shows on the service status screen which NTP server set the clock', () => {
    const status = { network: true, clockSet: true, tokenFreshSeconds: 100, api: 'ok', baseUrl: 'https://apitest.vipps.no', settings: [] };
    for (const language of ['nb', 'en', 'sv', 'da', 'fi'] as const) {
      const text = allText(screen(view({ screen: 'service-status', status: { ...status, timeServer: '2.pool.ntp.org' }, queue: [] }, language), NOW, context));
      assert.ok(text.includes(TEXTS[language].timeServer), language);
      assert.match(text, /2\.pool\.ntp\.org/, language);
    }
    const unset = allText(screen(view({ screen: 'service-status', status: { ...status, clockSet: false }, queue: [] }, 'en'), NOW, context));
    assert.match(unset, /Time from\s*missing/);
  });

  it('names products in the customer\'s language, else in the default language', () => {
    const english = allText(screen(view({ screen: 'idle', page: 0, pages: 2 }, 'en'), NOW, context));
    assert.match(english, /Sparkling water 0\.5 l/);
    assert.match(english, /^Sjokolade med/m); // the odd product has only a Norwegian name
  });

  it('shows the recovery note until its time is up', () => {
    const sale: SaleScreen = { screen: 'idle', page: 0, pages: 2, notice: { reference: 'oslo-s-vend-01-6-qq', outcome: 'cancelled', until: NOW + 5000 } };
    const during = screen(view(sale), NOW, context);
    assert.match(allText(during), new RegExp(TEXTS.nb.noticeTitle));
    assert.deepEqual(hitTest(during, ...centre(during, 'OK'), 0), { type: 'dismiss' });
    const after = screen(view(sale), NOW + 5000, context);
    assert.doesNotMatch(allText(after), new RegExp(TEXTS.nb.noticeTitle));
  });

  it('says "Scan with" and the wallet\'s name from the configuration', () => {
    const mobilePay = { config: testConfig({ brand: 'MobilePay' }), fonts: standInFonts };
    assert.match(allText(screen(view(payment(NOW + 1000), 'da'), NOW, mobilePay)), /Scan med MobilePay/);
    assert.match(allText(screen(view(payment(NOW + 1000), 'da'), NOW, context)), /Scan med Vipps/);
  });

  it('puts the redirect URL in the QR item, in the payment QR box', () => {
    const qr = screen(view(payment(NOW + 1000)), NOW, context).items.filter((item) => item.kind === 'qr');
    assert.deepEqual(qr, [{ kind: 'qr', box: PAYMENT_QR_BOX, text: SAMPLE_PAYMENT_URL }]);
  });
});

describe('screens: redrawing', () => {
  it('redraws only the countdown once a second, never the QR', () => {
    const expiresAt = NOW + 600_000;
    const first = screen(view(payment(expiresAt)), NOW, context);
    const second = screen(view(payment(expiresAt)), NOW + 1000, context);
    const boxes = changedBoxes(first, second);
    assert.equal(boxes.length, 1);
    const changed = second.items.find((item) => item.kind === 'text' && item.text === '09:59');
    assert.ok(changed);
    assert.deepEqual(boxes[0], changed.box);
    assert.ok(!boxes.some((box) => box === PAYMENT_QR_BOX));
    assert.deepEqual(changedBoxes(second, screen(view(payment(expiresAt)), NOW + 1400, context)), []);
  });

  it('clears and draws a new screen once, in one full-screen box', () => {
    const idle = screen(view({ screen: 'idle', page: 0, pages: 2 }), NOW, context);
    const paying = screen(view(payment(NOW + 1000)), NOW, context);
    assert.deepEqual(changedBoxes(undefined, idle), [FULL_SCREEN]);
    assert.deepEqual(changedBoxes(idle, paying), [FULL_SCREEN]);
  });

  it('redraws just the Cancel button when the cancel starts', () => {
    const before = screen(view(payment(NOW + 60_000)), NOW, context);
    const after = screen(view(payment(NOW + 60_000, true)), NOW, context);
    const boxes = changedBoxes(before, after);
    assert.ok(boxes.length > 0 && boxes.length <= 4);
    for (const box of boxes) assert.ok(box.y >= PAYMENT_QR_BOX.y + PAYMENT_QR_BOX.height, `box at y ${box.y} is not below the QR`);
  });

  it('makes a tick\'s list, from the kept one, equal to a fresh build', () => {
    const sale = payment(NOW + 600_000);
    for (const at of [NOW, NOW + 1000, NOW + 1999, NOW + 61_000, NOW + 600_000, NOW + 700_000]) {
      const ticked = screen(view(sale), at, context);
      const fresh = screen(view({ ...sale }), at, { ...context });
      assert.deepEqual(ticked, fresh, `at +${at - NOW} ms`);
    }
    const lock: SaleScreen = { screen: 'service-pin', digits: 0, wrong: true, lockedUntil: NOW + 3000 };
    for (const at of [NOW, NOW + 1000, NOW + 2500, NOW + 3000]) {
      assert.deepEqual(screen(view(lock), at, context), screen(view({ ...lock }), at, { ...context }), `lock at +${at - NOW} ms`);
    }
    assert.doesNotMatch(allText(screen(view(lock), NOW + 3000, context)), /Låst/);
  });

  it('is pure: the same view and time give an equal list', () => {
    assert.deepEqual(screen(view(payment(NOW + 1000)), NOW, context), screen(view(payment(NOW + 1000)), NOW, context));
  });
});

describe('format: text and time', () => {
  it('removes control characters, folds whitespace and replaces what the font lacks', () => {
    assert.equal(sanitize(standInFonts, 'small', '  a\u0000b\tc\n\nd\u200b \u202e'), 'ab c d');
    assert.equal(sanitize(standInFonts, 'small', 'Pris 🍫 \u4e2d'), 'Pris ? ?');
    assert.equal(sanitize(standInFonts, 'small', 'lone \ud800 surrogate'), 'lone ? surrogate');
    const clean = 'Ærlig talt: 25,00\u00a0kr';
    assert.equal(sanitize(standInFonts, 'small', clean), clean);
  });

  it('cuts text to a width with an ellipsis, never wider', () => {
    const text = 'Melkesjokolade med hasselnøtter';
    for (const width of [0, 10, 40, 100, 150, 500]) {
      const fitted = fitText(standInFonts, 'medium', text, width);
      assert.ok(standInFonts.measure('medium', fitted) <= width, `${width}: ${fitted}`);
      if (width < 500) assert.ok(fitted === '' || fitted.endsWith('…'), fitted);
    }
    assert.equal(fitText(standInFonts, 'medium', text, 500), text);
  });

  it('wraps at spaces and breaks words too long for a line', () => {
    const lines = wrapText(standInFonts, 'small', 'Betalingen ble ikke fullført i tide. Du er ikke belastet.', 120, 5);
    assert.ok(lines.length > 2);
    assert.equal(lines.join(' '), 'Betalingen ble ikke fullført i tide. Du er ikke belastet.');
    for (const line of lines) assert.ok(standInFonts.measure('small', line) <= 120);
    const reference = wrapText(standInFonts, 'small', 'oslo-s-vend-01-1042-k3j9x0-and-more-and-more', 100, 2);
    assert.equal(reference.length, 2);
    assert.ok(reference[1].endsWith('…'));
  });

  it('counts down in mm:ss, rounding up', () => {
    assert.equal(formatCountdown(secondsLeft(NOW + 600_000, NOW)), '10:00');
    assert.equal(formatCountdown(secondsLeft(NOW + 59_001, NOW)), '01:00');
    assert.equal(formatCountdown(secondsLeft(NOW + 1, NOW)), '00:01');
    assert.equal(formatCountdown(secondsLeft(NOW - 5, NOW)), '00:00');
  });

  it('writes log times in the machine\'s offset', () => {
    assert.equal(formatLogTime(1_764_583_500, 60), '01.12. 11:05');
    assert.equal(formatLogTime(1_764_583_500, 0), '01.12. 10:05');
  });
});
