import assert from 'node:assert/strict';
import { LANGUAGES } from 'app/config/machine-config';
import { en } from 'app/texts/en';
import { LANGUAGE_LABELS, TEXTS, textsFor, withBrand } from 'app/texts/index';

const keys = Object.keys(en).sort();

describe('text tables', () => {
  it('has a table for every language', () => {
    assert.deepEqual(Object.keys(TEXTS).sort(), [...LANGUAGES].sort());
    for (const language of LANGUAGES) assert.equal(textsFor(language), TEXTS[language]);
  });

  for (const language of LANGUAGES) {
    it(`${language}: every key, each a non-empty string without stray whitespace`, () => {
      const table = TEXTS[language] as unknown as Record<string, unknown>;
      assert.deepEqual(Object.keys(table).sort(), keys);
      for (const key of keys) {
        const value = table[key];
        assert.equal(typeof value, 'string', `${language}.${key}`);
        assert.ok((value as string).length > 0 && (value as string).trim() === value, `${language}.${key} is ${JSON.stringify(value)}`);
      }
    });

    it(`${language}: the wallet's name has its place in "scan with"`, () => {
      assert.ok(TEXTS[language].scanWith.includes('{brand}'));
      assert.ok(withBrand(TEXTS[language].scanWith, 'MobilePay').includes('MobilePay'));
      assert.ok(!withBrand(TEXTS[language].scanWith, 'Vipps').includes('{'));
    });
  }

  it('is translated: no table but English says "Cancel" or "Thank you"', () => {
    for (const language of LANGUAGES) {
      if (language === 'en') continue;
      assert.notEqual(TEXTS[language].cancel, en.cancel, language);
      assert.notEqual(TEXTS[language].thankYou, en.thankYou, language);
      assert.notEqual(TEXTS[language].chooseProduct, en.chooseProduct, language);
    }
  });

  it('labels each language on the switch with a short distinct code', () => {
    const labels = LANGUAGES.map((language) => LANGUAGE_LABELS[language]);
    assert.equal(new Set(labels).size, LANGUAGES.length);
    for (const label of labels) assert.match(label, /^[A-Z]{2}$/);
  });
});
