// The desktop's display: paints a display list, or only its changed boxes, into the RGB565
// framebuffer as the device paints it through Poco: each box cleared to the background, then every
// item that touches it, clipped to the box (and a text to its own box). Text goes through the BMF
// text renderer, the QR through qr/encode and qr/draw's pixel loop.
import { inkOverhang } from 'fonts/bmf';
import { drawQr } from 'qr/draw';
import { encode } from 'qr/encode';
import type { QrMatrix } from 'qr/matrix';
import type { Box, DisplayList, TextItem } from 'app/screens/display-list';
import type { FontBook, FontId } from 'app/screens/font-book';
import { FULL_SCREEN } from 'app/layout';
import type { Framebuffer } from './framebuffer';
import { drawText, loadFont, type LoadedFont } from './text-renderer';

/** Which font file each of the screens' faces is (assets/fonts). */
export const SCREEN_FONT_FILES: Readonly<Record<FontId, string>> = Object.freeze({
  small: 'OpenSans-Regular-16',
  body: 'OpenSans-Regular-20',
  medium: 'OpenSans-Semibold-20',
  large: 'OpenSans-Semibold-28',
});

export interface ScreenFonts {
  /** What the screens measure with. */
  book: FontBook;
  faces: Readonly<Record<FontId, LoadedFont>>;
  /** How far ink may reach outside a run's advance, per face (Open Sans' "J": 2 px left at 16 and 20 px, 3 at 28). */
  overhang: Readonly<Record<FontId, { left: number; right: number }>>;
}

/** The screens' fonts from assets/fonts (or `dir`). */
export function loadScreenFonts(dir?: string): ScreenFonts {
  const faces = {} as Record<FontId, LoadedFont>;
  const overhang = {} as Record<FontId, { left: number; right: number }>;
  for (const id of Object.keys(SCREEN_FONT_FILES) as FontId[]) {
    faces[id] = loadFont(SCREEN_FONT_FILES[id], dir);
    overhang[id] = inkOverhang(faces[id].font);
  }
  const book: FontBook = {
    measure: (font, text) => faces[font].font.measure(text),
    lineHeight: (font) => faces[font].font.common.lineHeight,
    has: (font, codePoint) => faces[font].font.has(codePoint),
  };
  return { book, faces, overhang };
}

/** Paints `list` into `framebuffer`, only inside `boxes` (default: the whole screen). */
export class Display {
  private lastQrText = '';
  private lastQr: QrMatrix | undefined;
  /** How many times a QR was drawn: a countdown tick must not draw it again. */
  qrDraws = 0;

  constructor(readonly framebuffer: Framebuffer, readonly fonts: ScreenFonts) {}

  draw(list: DisplayList, boxes: readonly Box[] = [FULL_SCREEN]): void {
    for (const box of boxes) this.drawBox(list, clipToScreen(box, this.framebuffer));
  }

  private drawBox(list: DisplayList, clip: Box | undefined): void {
    if (!clip) return;
    const framebuffer = this.framebuffer;
    framebuffer.fill(list.background, clip.x, clip.y, clip.width, clip.height);
    for (const item of list.items) {
      const area = intersect(item.box, clip);
      if (!area) continue;
      if (item.kind === 'rect') framebuffer.fill(item.color, area.x, area.y, area.width, area.height);
      else if (item.kind === 'text') this.drawTextItem(item, clip);
      else this.drawQrItem(item.text, item.box);
    }
  }

  /**
   * Clipped to its box widened by the face's overhang, so a "J" keeps its hook; runs side by side
   * are at least 4 px apart, more than one run's right and the next one's left overhang together.
   */
  private drawTextItem(item: TextItem, clip: Box): void {
    const face = this.fonts.faces[item.font];
    const { left, right } = this.fonts.overhang[item.font];
    const { x, y } = textOrigin(item, face);
    const { box } = item;
    const area = intersect({ x: box.x - left, y: box.y, width: box.width + left + right, height: box.height }, clip);
    if (area) drawText(this.framebuffer, face, item.text, x, y, item.color, area);
  }

  /** The QR is drawn whole (the pixel loop sends its square), so a box that touches it redraws it all. */
  private drawQrItem(text: string, box: Box): void {
    if (!this.lastQr || this.lastQrText !== text) {
      this.lastQr = encode(text);
      this.lastQrText = text;
    }
    drawQr(this.framebuffer, this.lastQr, box);
    this.qrDraws++;
  }
}

/** Where a text run's line starts: aligned in its box, the line centred vertically. */
export function textOrigin(item: TextItem, face: LoadedFont): { x: number; y: number } {
  const { box } = item;
  const width = face.font.measure(item.text);
  const x = item.align === 'left' ? box.x : item.align === 'right' ? box.x + box.width - width : box.x + ((box.width - width) >> 1);
  return { x, y: box.y + ((box.height - face.font.common.lineHeight) >> 1) };
}

function intersect(a: Box, b: Box): Box | undefined {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : undefined;
}

function clipToScreen(box: Box, framebuffer: Framebuffer): Box | undefined {
  return intersect(box, { x: 0, y: 0, width: framebuffer.width, height: framebuffer.height });
}
