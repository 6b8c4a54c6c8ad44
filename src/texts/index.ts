// The texts in the customer's language, and how each language names itself on the switch.
import type { Language } from 'app/config/machine-config';
import type { Texts } from 'app/texts/texts';
import { da } from 'app/texts/da';
import { en } from 'app/texts/en';
import { fi } from 'app/texts/fi';
import { nb } from 'app/texts/nb';
import { sv } from 'app/texts/sv';

export type { Texts, TextKey } from 'app/texts/texts';

export const TEXTS: Readonly<Record<Language, Texts>> = Object.freeze({ nb, da, fi, sv, en });

/** On the language switch: short enough for five 48-pixel buttons; Norwegian shows as NO, the code people know. */
export const LANGUAGE_LABELS: Readonly<Record<Language, string>> = Object.freeze({ nb: 'NO', da: 'DA', fi: 'FI', sv: 'SV', en: 'EN' });

export function textsFor(language: Language): Texts {
  return TEXTS[language] ?? en;
}

/** `template` with "{brand}" replaced by `brand`. */
export function withBrand(template: string, brand: string): string {
  const at = template.indexOf('{brand}');
  return at < 0 ? template : template.slice(0, at) + brand + template.slice(at + 7);
}
