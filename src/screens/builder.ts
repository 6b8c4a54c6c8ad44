// Builds one display list. Every text goes through sanitize and fitText here, so no screen can put
// an undrawable character or an overlong line on the display, whatever the API or the
// configuration hands it.
import type { MachineConfig } from 'app/config/machine-config';
import type { Action } from 'app/sale/view';
import type { Align, DisplayItem, DisplayList, TouchTarget } from 'app/screens/display-list';
import type { FontBook, FontId } from 'app/screens/font-book';
import { fitText, sanitize, wrapText } from 'app/format/text';
import { BUTTON, GREYED, INK, TEST_MARK, WHITE } from 'app/screens/palette';
import type { Texts } from 'app/texts/texts';
import { SCREEN_WIDTH } from 'app/layout';

/** What a screen needs besides the controller's view and the clock. */
export interface ScreenContext {
  config: MachineConfig;
  fonts: FontBook;
}

export interface ButtonStyle {
  fill?: number;
  color?: number;
  font?: FontId;
  /** Drawn, but not touchable (e.g. "previous" on the first page). */
  disabled?: boolean;
}

export const HEADER_HEIGHT = 40;
export const MARGIN = 12;
/** The TEST mark: top right, inside the header, on every screen. */
const TEST_BOX = Object.freeze({ x: 188, y: 8, width: 44, height: 24 });
/** A header's text stops here when the TEST mark is shown. */
export const TEST_MARK_LEFT = TEST_BOX.x - 4;

/** True when `text` (sanitised) fits `lines` lines of `width` within `height`, every word whole. */
export function labelFits(fonts: FontBook, font: FontId, text: string, width: number, height: number, lines: number): boolean {
  if (lines * fonts.lineHeight(font) > height) return false;
  if (lines === 1) return fonts.measure(font, text) <= width;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf(' ', start);
    if (end < 0) end = text.length;
    if (fonts.measure(font, text.slice(start, end)) > width) return false;
    start = end + 1;
  }
  return wrapText(fonts, font, text, width, lines + 1).length <= lines;
}

export class ListBuilder {
  readonly items: DisplayItem[] = [];
  readonly targets: TouchTarget[] = [];
  readonly fonts: FontBook;
  /** The item that shows a countdown ("09:41"), so a tick can replace just it; -1 when none. */
  tickIndex = -1;
  /** What stands before the countdown's mm:ss in that item ("Låst "). */
  tickPrefix = '';

  constructor(readonly context: ScreenContext, readonly texts: Texts, readonly testMode: boolean) {
    this.fonts = context.fonts;
  }

  /** The right edge header text may use: short of the TEST mark when it is shown. */
  get headerRight(): number {
    return this.testMode ? TEST_MARK_LEFT : SCREEN_WIDTH - MARGIN;
  }

  rect(x: number, y: number, width: number, height: number, color: number): void {
    this.items.push({ kind: 'rect', box: { x, y, width, height }, color });
  }

  /**
   * One line of `text`, sanitised and cut to `width` (with an ellipsis); `height` defaults to the
   * font's line height. With `smaller`, a text too wide for `font` tries that font before being cut.
   */
  text(x: number, y: number, width: number, font: FontId, color: number, align: Align, text: string, height?: number, smaller?: FontId): void {
    const fonts = this.fonts;
    let clean = sanitize(fonts, font, text);
    if (smaller !== undefined && fonts.measure(font, clean) > width) {
      font = smaller;
      clean = sanitize(fonts, font, text);
    }
    const fitted = fitText(fonts, font, clean, width);
    if (fitted.length === 0) return;
    this.items.push({ kind: 'text', box: { x, y, width, height: height ?? fonts.lineHeight(font) }, font, color, align, text: fitted });
  }

  /** A one-line countdown: `prefix` then mm:ss, remembered as the item a clock tick replaces. */
  countdownText(x: number, y: number, width: number, font: FontId, color: number, align: Align, prefix: string, time: string): void {
    const before = this.items.length;
    this.text(x, y, width, font, color, align, prefix + time);
    if (this.items.length > before && (this.items[before] as { text: string }).text === prefix + time) {
      this.tickIndex = before;
      this.tickPrefix = prefix;
    }
  }

  /** `text` wrapped into at most `maxLines` lines from `y`; returns the y below the last line. */
  paragraph(x: number, y: number, width: number, font: FontId, color: number, align: Align, text: string, maxLines: number): number {
    const fonts = this.fonts;
    const lineHeight = fonts.lineHeight(font);
    const lines = wrapText(fonts, font, sanitize(fonts, font, text), width, maxLines);
    for (let i = 0; i < lines.length; i++, y += lineHeight) {
      this.items.push({ kind: 'text', box: { x, y, width, height: lineHeight }, font, color, align, text: lines[i] });
    }
    return y;
  }

  /**
   * `text` wrapped into at most `maxHeight` pixels: in `font` when all of it fits there, else in
   * `smaller`, cut with an ellipsis if even that runs out of lines. Returns the y below the last line.
   */
  paragraphIn(x: number, y: number, width: number, maxHeight: number, font: FontId, smaller: FontId, color: number, text: string): number {
    const lines = Math.floor(maxHeight / this.fonts.lineHeight(font));
    const chosen = lines > 0 && this.lineCount(font, text, width, lines + 1) <= lines ? font : smaller;
    const chosenLines = Math.floor(maxHeight / this.fonts.lineHeight(chosen));
    return chosenLines > 0 ? this.paragraph(x, y, width, chosen, color, 'left', text, chosenLines) : y;
  }

  /** How many lines `text` takes at `width`, up to `maxLines`. */
  lineCount(font: FontId, text: string, width: number, maxLines: number): number {
    return wrapText(this.fonts, font, sanitize(this.fonts, font, text), width, maxLines).length;
  }

  target(x: number, y: number, width: number, height: number, action: Action, holdMs = 0): void {
    this.targets.push({ box: { x, y, width, height }, action, holdMs });
  }

  /**
   * A filled button with a centred label; the whole button is the touch target. The label takes the
   * first that fits: one line of `font`, two lines of it (broken between words), one line of the
   * small font, two lines of it, and at last one small line cut with an ellipsis.
   */
  button(x: number, y: number, width: number, height: number, label: string, action: Action, style: ButtonStyle = {}): void {
    this.rect(x, y, width, height, style.fill ?? BUTTON);
    const color = style.disabled ? GREYED : (style.color ?? INK);
    const inner = width - 8;
    const fonts = this.fonts;
    const choices: FontId[] = style.font === 'small' ? ['small'] : [style.font ?? 'medium', 'small'];
    let done = false;
    for (let c = 0; c < choices.length && !done; c++) {
      const font = choices[c];
      const lineHeight = fonts.lineHeight(font);
      const clean = sanitize(fonts, font, label);
      for (let lines = 1; lines <= 2 && !done; lines++) {
        if (!labelFits(fonts, font, clean, inner, height, lines)) continue;
        this.paragraph(x + 4, y + ((height - lines * lineHeight) >> 1), inner, font, color, 'center', clean, lines);
        done = true;
      }
    }
    if (!done) {
      const lineHeight = fonts.lineHeight('small');
      this.text(x + 4, y + ((height - lineHeight) >> 1), inner, 'small', color, 'center', label, Math.min(height, lineHeight));
    }
    if (!style.disabled) this.target(x, y, width, height, action);
  }

  /** A coloured band across the top with a title, an optional back button, and the TEST mark. */
  header(title: string, color: number, back = false): void {
    this.rect(0, 0, SCREEN_WIDTH, HEADER_HEIGHT, color);
    let left = MARGIN;
    if (back) {
      this.button(0, 0, 88, HEADER_HEIGHT, `${this.arrow(-1)} ${this.texts.back}`, { type: 'back' }, { fill: color, color: WHITE, font: 'small' });
      left = 92;
    }
    const lineHeight = this.fonts.lineHeight('medium');
    this.text(left, (HEADER_HEIGHT - lineHeight) >> 1, this.headerRight - left, 'medium', WHITE, 'left', title, lineHeight, 'small');
    this.testMark();
  }

  /** The TEST mark, when the machine does not talk to the production service. */
  testMark(): void {
    if (!this.testMode) return;
    const box = TEST_BOX;
    this.rect(box.x, box.y, box.width, box.height, TEST_MARK);
    const lineHeight = this.fonts.lineHeight('small');
    this.text(box.x, box.y + ((box.height - lineHeight) >> 1), box.width, 'small', INK, 'center', 'TEST', lineHeight);
  }

  /** Previous / "page of pages" / next, when there is more than one page. */
  pager(y: number, page: number, pages: number): void {
    if (pages <= 1) return;
    const t = this.texts;
    this.button(8, y, 92, 40, `${this.arrow(-1)} ${t.previous}`, { type: 'page', delta: -1 }, { font: 'small', disabled: page <= 0 });
    this.text(100, y, 40, 'small', INK, 'center', `${page + 1}/${pages}`, 40);
    this.button(140, y, 92, 40, `${t.next} ${this.arrow(1)}`, { type: 'page', delta: 1 }, { font: 'small', disabled: page >= pages - 1 });
  }

  /** A small arrow for back and page buttons: the guillemet where the font has it. */
  arrow(direction: -1 | 1): string {
    if (direction < 0) return this.fonts.has('small', 0x2039) ? '\u2039' : '<';
    return this.fonts.has('small', 0x203a) ? '\u203a' : '>';
  }

  finish(screen: string, background = WHITE): DisplayList {
    return { screen, background, items: this.items, targets: this.targets };
  }
}
