// The device's display: paints a display list, or only its changed boxes, through Poco as the
// desktop paints it into its framebuffer (hosts/node/display.ts), pixel for pixel: each box is a
// Poco frame (or several, when its glyphs overflow Poco's display list), cleared to the background, then every rectangle and text that touches it, a text
// clipped to its box widened by the face's overhang. The QR is not Poco's: once every Poco frame
// has ended, qr/draw's pixel loop sends it straight to the screen (begin/send/end) in the
// screen's pixel format, and only when a box touched it, so a countdown tick never sends it again.
import Poco, { type PocoPrototype } from 'commodetto/Poco';
import type PixelsOut from 'commodetto/PixelsOut';
import { drawQr, largestVersionThatFits } from 'qr/draw';
import type { QrMatrix } from 'qr/matrix';
import type { Box, DisplayList, QrItem, TextItem } from 'app/screens/display-list';
import { FULL_SCREEN } from 'app/layout';
import { encodeNative } from 'hosts/moddable/qr-encode';
import type { DeviceFonts } from 'hosts/moddable/fonts';

/**
 * Poco's display list, in bytes: Poco's own allocation, outside the XS heap (Poco adds half on
 * 64-bit hosts for their longer pointers). A frame holds one command per rectangle and glyph, so a
 * box that needs more is drawn as several frames, top to bottom (see COMMAND_BYTES).
 */
export const DISPLAY_LIST_BYTES = 4096;

/**
 * What one command may take: a glyph is a RenderGray16BitsRecord, 20 bytes on the ESP32 and 24 on
 * the 64-bit simulator (which gets half as much room again), a rectangle less. The fullest sample
 * screen has about 220 glyphs: in one frame it fits the simulator's 6,144 bytes but not the
 * ESP32's 4,096, so the simulator alone cannot show an overflow; counting 24 bytes a command on the
 * device's size keeps every frame inside both.
 */
export const COMMAND_BYTES = 24;

export interface DisplayOptions {
  displayListLength?: number;
}

export class PocoDisplay {
  readonly poco: PocoPrototype;
  /** How many times a QR was sent: a countdown tick must not send it again. */
  qrDraws = 0;
  /** Poco frames ended: one per box, more for a box split to fit the display list. */
  pocoFrames = 0;
  /** Commands one frame may hold: 1 for the background, 1 for a text's clip, the rest rectangles and glyphs. */
  private readonly maxCommands: number;
  private lastQrText = '';
  private lastQr: QrMatrix | undefined;

  constructor(readonly out: PixelsOut, readonly fonts: DeviceFonts, options: DisplayOptions = {}) {
    const displayListLength = options.displayListLength ?? DISPLAY_LIST_BYTES;
    this.poco = new Poco(out, { displayListLength });
    this.maxCommands = Math.floor(displayListLength / COMMAND_BYTES) - 2;
  }

  draw(list: DisplayList, boxes: readonly Box[] = [FULL_SCREEN]): void {
    let qr: QrItem | undefined;
    for (let i = 0; i < boxes.length; i++) {
      const touched = this.drawBox(list, boxes[i]);
      if (touched) qr = touched;
    }
    // After the last Poco frame: Poco frames and raw frames never interleave.
    if (qr) this.drawQrItem(qr);
  }

  /** The box clipped to the screen, in as many Poco frames as its commands need; returns the QR item when the box touches it (drawn later). */
  private drawBox(list: DisplayList, box: Box): QrItem | undefined {
    const out = this.out;
    const x = Math.max(0, box.x);
    const y = Math.max(0, box.y);
    const width = Math.min(out.width, box.x + box.width) - x;
    const height = Math.min(out.height, box.y + box.height) - y;
    if (width <= 0 || height <= 0) return undefined;
    return this.drawArea(list, x, y, width, height);
  }

  /** Splits the area in two, top and bottom, until each half's commands fit Poco's display list. */
  private drawArea(list: DisplayList, x: number, y: number, width: number, height: number): QrItem | undefined {
    if (height > 1 && this.commandsIn(list, x, y, width, height) > this.maxCommands) {
      const top = height >> 1;
      const upper = this.drawArea(list, x, y, width, top);
      const lower = this.drawArea(list, x, y + top, width, height - top);
      return upper ?? lower;
    }
    return this.drawFrame(list, x, y, width, height);
  }

  /** At most how many commands a frame over the area holds: every rectangle and glyph of the items that touch it. */
  private commandsIn(list: DisplayList, x: number, y: number, width: number, height: number): number {
    let commands = 1;
    const items = list.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const b = item.box;
      if (b.x >= x + width || b.y >= y + height || b.x + b.width <= x || b.y + b.height <= y) continue;
      if (item.kind === 'rect') commands++;
      else if (item.kind === 'text') {
        glyphs = 0;
        this.fonts.metrics[item.font].layout(item.text, countGlyph);
        commands += glyphs;
      }
    }
    return commands;
  }

  /** One Poco frame: the background, then every rectangle and text that touches the area, in order. */
  private drawFrame(list: DisplayList, x: number, y: number, width: number, height: number): QrItem | undefined {
    const poco = this.poco;
    let qr: QrItem | undefined;
    poco.begin(x, y, width, height);
    poco.fillRectangle(this.color(list.background), x, y, width, height);
    const items = list.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const b = item.box;
      if (b.x >= x + width || b.y >= y + height || b.x + b.width <= x || b.y + b.height <= y) continue;
      // Poco clips every command to the frame's area.
      if (item.kind === 'rect') poco.fillRectangle(this.color(item.color), b.x, b.y, b.width, b.height);
      else if (item.kind === 'text') this.drawText(item);
      else qr = item;
    }
    poco.end();
    this.pocoFrames++;
    return qr;
  }

  /** Aligned in its box, the line centred vertically, as hosts/node/display's textOrigin places it. */
  private drawText(item: TextItem): void {
    const poco = this.poco;
    const { box, font } = item;
    const metrics = this.fonts.metrics[font];
    const textWidth = metrics.measure(item.text);
    const x = item.align === 'left' ? box.x : item.align === 'right' ? box.x + box.width - textWidth : box.x + ((box.width - textWidth) >> 1);
    const y = box.y + ((box.height - metrics.common.lineHeight) >> 1);
    const { left, right } = this.fonts.overhang[font];
    poco.clip(box.x - left, box.y, box.width + left + right, box.height);
    poco.drawText(item.text, this.fonts.poco[font], this.color(item.color), x, y);
    poco.clip();
  }

  /** The QR is sent whole (its square, quiet zone included); the matrix is kept while its text is the same. */
  private drawQrItem(item: QrItem): void {
    if (!this.lastQr || this.lastQrText !== item.text) {
      this.lastQr = undefined; // let the old matrix go before the new one is made
      this.lastQr = encodeNative(item.text, largestVersionThatFits(item.box));
      this.lastQrText = item.text;
    }
    drawQr(this.out, this.lastQr, item.box);
    this.qrDraws++;
  }

  /** Poco's colour for an RGB565 value, in the screen's byte order (makeColor takes 8-bit channels). */
  private color(rgb565: number): number {
    const red = (rgb565 >> 11) & 0x1f;
    const green = (rgb565 >> 5) & 0x3f;
    const blue = rgb565 & 0x1f;
    return this.poco.makeColor((red << 3) | (red >> 2), (green << 2) | (green >> 4), (blue << 3) | (blue >> 2));
  }
}

// Counting glyphs through BmfFont.layout's visitor without making a closure per text.
let glyphs = 0;
function countGlyph(): void {
  glyphs++;
}
