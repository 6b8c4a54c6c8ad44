// The screens' four faces on the device: each a Poco font (parseBMF of the `.fnt` resource, with
// the 4-bit `-alpha` atlas mcconfig made from the PNG) for drawing, and a BmfFont over the same
// `.fnt` bytes for the screens' FontBook, so layout measures exactly what Poco draws
// (tests/node/fonts-poco.test.ts proves getTextWidth equals BmfFont.measure). The resources stay
// in flash: nothing is copied out of them.
import parseBMF from 'commodetto/parseBMF';
import parseBMP from 'commodetto/parseBMP';
import Resource from 'Resource';
import { BmfFont, inkOverhang } from 'fonts/bmf';
import type { FontBook, FontId } from 'app/screens/font-book';

/** Which resource each face is (the same table as hosts/node/display's SCREEN_FONT_FILES). */
export const SCREEN_FONT_FILES: Readonly<Record<FontId, string>> = Object.freeze({
  small: 'OpenSans-Regular-16',
  body: 'OpenSans-Regular-20',
  medium: 'OpenSans-Semibold-20',
  large: 'OpenSans-Semibold-28',
});

/** A Poco font (the SDK's typings name it differently in different versions). */
export type Font = ReturnType<typeof parseBMF>;

export interface Overhang { readonly left: number; readonly right: number }

export interface DeviceFonts {
  /** What the screens measure with. */
  readonly book: FontBook;
  /** What Poco draws with. */
  readonly poco: Readonly<Record<FontId, Font>>;
  readonly metrics: Readonly<Record<FontId, BmfFont>>;
  /** How far ink may reach outside a run's advance, per face: text is clipped to its box widened by this. */
  readonly overhang: Readonly<Record<FontId, Overhang>>;
}

/** Loads the four faces from the app's resources (manifest_display.json puts them there). */
export function loadDeviceFonts(): DeviceFonts {
  const poco = {} as Record<FontId, Font>;
  const metrics = {} as Record<FontId, BmfFont>;
  const overhang = {} as Record<FontId, Overhang>;
  for (const id of Object.keys(SCREEN_FONT_FILES) as FontId[]) {
    const name = SCREEN_FONT_FILES[id];
    const fnt = new Resource(`${name}.fnt`);
    const font = parseBMF(fnt);
    font.bitmap = parseBMP(new Resource(`${name}-alpha.bmp`));
    poco[id] = font;
    // A Resource is a host buffer over flash: the typed array views it without a copy.
    metrics[id] = new BmfFont(new Uint8Array(fnt as unknown as ArrayBuffer));
    overhang[id] = inkOverhang(metrics[id]);
  }
  const book: FontBook = {
    measure: (font, text) => metrics[font].measure(text),
    lineHeight: (font) => metrics[font].common.lineHeight,
    has: (font, codePoint) => metrics[font].has(codePoint),
  };
  return { book, poco, metrics, overhang };
}
