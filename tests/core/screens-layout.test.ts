// Every screen in every language, with and without the TEST mark, and with hostile product names
// and contact lines: nothing leaves its box, every target is big enough.
import assert from 'node:assert/strict';
import { LANGUAGES } from 'app/config/machine-config';
import { largestVersionThatFits, placeQr } from 'qr/draw';
import { PAYMENT_QR_BOX } from 'app/layout';
import { sampleScreens } from 'app/screens/samples';
import { screen } from 'app/screens/screen';
import { allText, layoutProblems, standInFonts, testConfig } from './screens-support';

const NOW = 1_700_000_000_000;

describe('screens: layout', () => {
  const configs = [
    testConfig(),
    testConfig({ brand: 'Vipps MobilePay', currency: 'DKK', languages: ['da', 'fi', 'sv', 'nb', 'en'], operatorContact: 'Kundeservice\u0000 døgnet rundt: +45 70 00 00 00 eller support@example-operator-with-a-long-name.dk \u0007' }),
    testConfig({ brand: 'MobilePay', currency: 'EUR', languages: ['fi'] }),
  ];

  it('draws at least 25 distinct screens', () => {
    const names = new Set(sampleScreens(configs[0], 'nb', NOW).map((sample) => screen(sample.view, NOW, { config: configs[0], fonts: standInFonts }).screen));
    assert.ok(names.size >= 20, `only ${names.size}: ${[...names].join(', ')}`);
    assert.ok(sampleScreens(configs[0], 'nb', NOW).length >= 25);
  });

  for (const [index, config] of configs.entries()) {
    for (const language of LANGUAGES) {
      it(`config ${index + 1}, ${language}: every screen keeps every text in its box and every target at 40x40 or more`, () => {
        const problems: string[] = [];
        for (const testMode of [false, true]) {
          for (const sample of sampleScreens(config, language, NOW, testMode)) {
            const list = screen(sample.view, NOW, { config, fonts: standInFonts });
            for (const problem of layoutProblems(list, standInFonts)) problems.push(`${sample.name}${testMode ? ' (test)' : ''}: ${problem}`);
            if (testMode !== allText(list).split('\n').includes('TEST')) problems.push(`${sample.name}: TEST mark ${testMode ? 'missing' : 'shown'}`);
          }
        }
        assert.deepEqual(problems, []);
      });
    }
  }

  it('sanitises what the configuration holds: no control characters, no emoji, an ellipsis where cut', () => {
    const config = testConfig();
    const view = { language: 'nb' as const, testMode: false, products: [], sale: { screen: 'creating' as const, product: 'odd' } };
    const text = allText(screen(view, NOW, { config, fonts: standInFonts }));
    assert.match(text, /^Sjokolade med mandler \?/m);
    assert.match(text, /…$/m);
    assert.doesNotMatch(text, /[\u0000-\u0008\u202e]|\ud83c/);
  });

  it('keeps the payment QR box at 4 pixels a module for a version-6 QR (the 86-character payment URL)', () => {
    assert.ok(largestVersionThatFits(PAYMENT_QR_BOX, 4) >= 6);
    assert.equal(placeQr(41, PAYMENT_QR_BOX).scale, 4);
  });
});
