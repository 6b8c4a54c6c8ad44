// A screen as data: what to paint, in order, and where a touch does what. Every host paints the
// same list (the device through Poco, the desktop into its framebuffer), so a screen looks and
// reacts the same everywhere. Colours are RGB565.
import type { Box } from 'qr/pixel-sink';
import type { Action } from 'app/sale/view';
import type { FontId } from 'app/screens/font-book';

export type { Box } from 'qr/pixel-sink';

export type Align = 'left' | 'center' | 'right';

/** A filled rectangle. */
export interface RectItem {
  readonly kind: 'rect';
  readonly box: Box;
  readonly color: number;
}

/**
 * One line of text, already sanitised and fitted: it never runs out of `box`. Drawn over what is
 * beneath it, aligned horizontally by `align` and centred vertically in the box.
 */
export interface TextItem {
  readonly kind: 'text';
  readonly box: Box;
  readonly font: FontId;
  readonly color: number;
  readonly align: Align;
  readonly text: string;
}

/** The payment QR: the host encodes `text` and draws it (quiet zone included) centred in `box`. */
export interface QrItem {
  readonly kind: 'qr';
  readonly box: Box;
  readonly text: string;
}

export type DisplayItem = RectItem | TextItem | QrItem;

export interface TouchTarget {
  /** At least 40x40 pixels. */
  readonly box: Box;
  readonly action: Action;
  /** 0: a tap; otherwise the press must last this long (the hidden service corner). */
  readonly holdMs: number;
}

export interface DisplayList {
  /** Which screen this is; a different name means a new screen: clear and draw everything. */
  readonly screen: string;
  readonly background: number;
  /** Painted in order: later items are drawn over earlier ones. */
  readonly items: readonly DisplayItem[];
  readonly targets: readonly TouchTarget[];
}
