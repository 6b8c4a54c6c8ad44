// Helpers for the screen tests: a stand-in FontBook with Open Sans-like metrics (the portable
// tests run on XS too, where the font files cannot be read), and the checks every screen must pass.
import type { MachineConfig } from 'app/config/machine-config';
import type { DisplayList, Box } from 'app/screens/display-list';
import type { FontBook, FontId } from 'app/screens/font-book';
import { MIN_TARGET, SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';

const SIZES: Record<FontId, number> = { small: 16, body: 20, medium: 20, large: 28 };
const WEIGHT: Record<FontId, number> = { small: 1, body: 1, medium: 1.06, large: 1.06 };

const EXTRA = [0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e, 0x2007, 0x2009, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e,
  0x2022, 0x2026, 0x2039, 0x203a, 0x202f, 0x20ac, 0x2122, 0x2212];

/** The characters the project's Open Sans fonts hold (tools/fonts/faces.ts). */
function covered(code: number): boolean {
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || EXTRA.indexOf(code) >= 0;
}

const NARROW = 'iljtf.,:;!|\'I';
const WIDE = 'mwMW';

function isOneOf(set: string, code: number): boolean {
  for (let i = 0; i < set.length; i++) if (set.charCodeAt(i) === code) return true;
  return false;
}

/** Character widths close to Open Sans: wide capitals, narrow i, l and punctuation. Allocates nothing, as BmfFont does not. */
function advance(code: number): number {
  if (code === 0x20 || code === 0xa0) return 0.26;
  if (code === 0x202f || code === 0x2009) return 0.2;
  if (isOneOf(NARROW, code)) return 0.3;
  if (isOneOf(WIDE, code)) return 0.88;
  if (code >= 0x30 && code <= 0x39) return 0.52; // tabular figures
  if (code >= 0x41 && code <= 0x5a) return 0.66;
  if (code === 0x2026) return 0.8;
  return 0.56;
}

export const standInFonts: FontBook = {
  measure(font, text) {
    let width = 0;
    for (let i = 0; i < text.length; i++) width += Math.round(advance(text.charCodeAt(i)) * SIZES[font] * WEIGHT[font]);
    return width;
  },
  lineHeight: (font) => Math.round(SIZES[font] * 1.36),
  has: (_font, code) => covered(code),
};

function inside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

const SCREEN: Box = { x: 0, y: 0, width: SCREEN_WIDTH, height: SCREEN_HEIGHT };
const show = (box: Box) => `${box.width}x${box.height}@${box.x},${box.y}`;

/**
 * Everything that must hold for every screen, as a list of problems (empty when all is well):
 * every item on the screen; every text run's text within its box's width and its line within the
 * box's height, drawable by the font, not overlapping another text run and at least 4 px from one
 * beside it; touch targets at least
 * 40x40 and not overlapping each other.
 */
export function layoutProblems(list: DisplayList, fonts: FontBook): string[] {
  const problems: string[] = [];
  const texts = list.items.filter((item) => item.kind === 'text');
  for (const item of list.items) {
    if (!inside(item.box, SCREEN)) problems.push(`${item.kind} ${show(item.box)} leaves the screen`);
    if (item.kind !== 'text') continue;
    const width = fonts.measure(item.font, item.text);
    if (width > item.box.width) problems.push(`"${item.text}" is ${width} px wide in a ${item.box.width} px box`);
    if (fonts.lineHeight(item.font) > item.box.height) problems.push(`"${item.text}" (${item.font}) is taller than its ${item.box.height} px box`);
    if (item.text.length === 0 || item.text !== item.text.trim()) problems.push(`text run ${JSON.stringify(item.text)} is empty or padded`);
    for (let i = 0; i < item.text.length; i++) {
      const code = item.text.codePointAt(i)!;
      if (code > 0xffff) i++;
      if (!fonts.has(item.font, code)) problems.push(`"${item.text}" holds U+${code.toString(16)}, which ${item.font} lacks`);
    }
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const [a, b] = [texts[i].box, texts[j].box];
      if (overlap(a, b)) problems.push(`"${texts[i].text}" ${show(a)} overlaps "${texts[j].text}" ${show(b)}`);
      // Side by side, runs keep 4 px apart: room for one glyph's overhang on each side.
      else if (a.y < b.y + b.height && b.y < a.y + a.height && Math.max(b.x - (a.x + a.width), a.x - (b.x + b.width)) < 4) {
        problems.push(`"${texts[i].text}" ${show(a)} and "${texts[j].text}" ${show(b)} are less than 4 px apart`);
      }
    }
  }
  list.targets.forEach((target, i) => {
    if (target.box.width < MIN_TARGET || target.box.height < MIN_TARGET) problems.push(`target ${JSON.stringify(target.action)} is only ${show(target.box)}`);
    if (!inside(target.box, SCREEN)) problems.push(`target ${JSON.stringify(target.action)} leaves the screen`);
    for (let j = i + 1; j < list.targets.length; j++) {
      if (overlap(target.box, list.targets[j].box)) problems.push(`targets ${JSON.stringify(target.action)} and ${JSON.stringify(list.targets[j].action)} overlap`);
    }
  });
  return problems;
}

/** All the text on a screen, one string, for tests that look for a phrase. */
export function allText(list: DisplayList): string {
  return list.items.map((item) => (item.kind === 'text' ? item.text : '')).join('\n');
}

/**
 * A machine like config/sample-machine.json (which the portable tests cannot read on XS): the same
 * languages and currency, its longest product names, and one product whose names come in with
 * control characters, an emoji and far too much length.
 */
export function testConfig(overrides: Partial<MachineConfig> = {}): MachineConfig {
  const output = { pin: 26, pulseMs: 300, activeLow: false };
  return {
    posId: 'oslo-s-vend-01', languages: ['nb', 'en', 'sv', 'da', 'fi'], currency: 'NOK', brand: 'Vipps', timeZoneOffsetMinutes: 60,
    qrTimeLimitSeconds: 600, idleTimeoutSeconds: 60, walkAwayTimeoutSeconds: 180, createDeadlineMs: 8000,
    operatorContact: 'Hjelp / Help: +47 22 00 00 00',
    catalog: [
      { id: 'water', names: { nb: 'Farris 0,5 l', en: 'Sparkling water 0.5 l', sv: 'Kolsyrat vatten 0,5 l', da: 'Danskvand 0,5 l', fi: 'Kivennäisvesi 0,5 l' }, price: 3500, vatRate: 1500, stock: 12, soldOut: false, output },
      { id: 'chocolate', names: { nb: 'Melkesjokolade med hasselnøtter', en: 'Milk chocolate with hazelnuts', sv: 'Mjölkchoklad med hasselnötter', da: 'Mælkechokolade med hasselnødder', fi: 'Maitosuklaa hasselpähkinöillä' }, price: 2900, vatRate: 1500, soldOut: false, output },
      { id: 'odd', names: { nb: '\u0007Sjokolade\u0000\tmed\u202e mandler 🍫 og karamell og havsalt i en veldig lang pakke' }, price: 1_234_500, vatRate: 1500, stock: 0, soldOut: false, output },
      { id: 'earbuds', names: { nb: 'Ørepropper', en: 'Ear buds', sv: 'Hörlurar', da: 'Øretelefoner', fi: 'Nappikuulokkeet' }, price: 14900, vatRate: 2500, stock: 4, soldOut: false, output },
      { id: 'energy', names: { nb: 'Energidrikk 0,33 l', en: 'Energy drink 0.33 l', sv: 'Energidryck 0,33 l', da: 'Energidrik 0,33 l', fi: 'Energiajuoma 0,33 l' }, price: 3900, vatRate: 1500, stock: 0, soldOut: false, output },
      { id: 'charger', names: { nb: 'USB-C-lader', en: 'USB-C charger', sv: 'USB-C-laddare', da: 'USB-C-oplader', fi: 'USB-C-laturi' }, price: 19900, vatRate: 2500, soldOut: true, output },
    ],
    ...overrides,
  };
}
