// What the screens need to know about the fonts: how wide a text is, how tall a line is, and which
// characters exist. Hosts pass the real fonts in (the BMF files both hosts draw with); tests may pass
// any FontBook, so the screens are testable without font files.

/**
 * The faces the screens use: small (16 px, regular) for details, body (20 px, regular) for
 * messages, medium (20 px, semibold) for names, titles and buttons, large (28 px, semibold) for
 * headlines.
 */
export type FontId = 'small' | 'body' | 'medium' | 'large';
export const FONT_IDS: readonly FontId[] = ['small', 'body', 'medium', 'large'];

export interface FontBook {
  /** Advance width of `text` in pixels, as the device's drawText lays it out. */
  measure(font: FontId, text: string): number;
  /** Distance from one line's top to the next line's top. */
  lineHeight(font: FontId): number;
  has(font: FontId, codePoint: number): boolean;
}
