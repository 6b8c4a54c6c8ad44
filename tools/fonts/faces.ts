// Which fonts the screens get, and which characters each holds.
// Open Sans (SIL OFL 1.1) from the @expo-google-fonts/open-sans package: Google Fonts' static
// TrueType instances, whole character set, pinned to an exact version so the outlines never move
// under the committed files.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PACKAGE = '@expo-google-fonts/open-sans';

export interface Face {
  /** Resource name: the .fnt and .png files, and what the manifest and Piu call the font. */
  name: string;
  /** TrueType file. */
  source: string;
  /** Pixels to the em. */
  size: number;
  bold: boolean;
}

function openSans(style: string): string {
  return require.resolve(`${PACKAGE}/${style}/OpenSans_${style}.ttf`);
}

/** Body text at 16, labels and buttons at 20, headings at 20 and prices at 28 (semibold). */
export const FACES: Face[] = [
  { name: 'OpenSans-Regular-16', source: openSans('400Regular'), size: 16, bold: false },
  { name: 'OpenSans-Regular-20', source: openSans('400Regular'), size: 20, bold: false },
  { name: 'OpenSans-Semibold-20', source: openSans('600SemiBold'), size: 20, bold: true },
  { name: 'OpenSans-Semibold-28', source: openSans('600SemiBold'), size: 28, bold: true },
];

export const LICENCE_SOURCE = require.resolve(`${PACKAGE}/LICENSE_FONT`);
export const LICENCE_NAME = 'OpenSans-OFL.txt';

/** U+202F is missing from Open Sans: it is made as a blank as wide as the thin space U+2009. */
export const NARROW_NO_BREAK_SPACE = 0x202f;
export const THIN_SPACE = 0x2009;

function range(first: number, last: number): number[] {
  const codes: number[] = [];
  for (let code = first; code <= last; code++) codes.push(code);
  return codes;
}

/**
 * Printable ASCII and Latin-1 (Norwegian, Danish, Swedish, Finnish, German, French...), the Finnish
 * and French letters outside Latin-1 (Š š Ž ž Œ œ Ÿ), and the typography screens use: dashes,
 * quotes, bullet, ellipsis, euro, trade mark, minus, and the spaces for amounts like "25,00 kr"
 * (figure space U+2007, thin space U+2009, narrow no-break space U+202F).
 */
export const CHARACTERS: number[] = [
  ...range(0x20, 0x7e),
  ...range(0xa0, 0xff),
  0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e,
  0x2007, 0x2009, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e,
  0x2022, 0x2026, 0x2039, 0x203a, 0x202f, 0x20ac, 0x2122, 0x2212,
].sort((a, b) => a - b);
