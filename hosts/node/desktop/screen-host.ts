// The desktop machine's screen: what the controller shows, as the device draws it. On every change
// (and on a short tick, for countdowns) the view becomes a display list, only its changed boxes are
// painted into the RGB565 framebuffer, and those boxes' pixels are handed on. Touches are
// hit-tested against the list on screen, as on the device.
import type { Box, DisplayList, TouchTarget } from 'app/screens/display-list';
import { changedBoxes } from 'app/screens/changed-boxes';
import { hitTest } from 'app/screens/hit-test';
import { screen, type ScreenContext } from 'app/screens/screen';
import type { Action, MachineView } from 'app/sale/view';
import type { Display } from '../display';

export type FrameListener = (boxes: Box[], pixels: Uint8Array[]) => void;

export class ScreenHost {
  private list: DisplayList | undefined;
  private selectedAt: number | undefined;
  /** Milliseconds from the last product touch to its QR in the framebuffer. */
  tapToQrMs: number | undefined;

  constructor(
    private readonly display: Display,
    private readonly context: ScreenContext,
    private readonly view: () => MachineView,
    private readonly now: () => number,
    private readonly onFrame: FrameListener,
  ) {}

  /** Paints what changed since the last call; returns the boxes painted. */
  render(): Box[] {
    const next = screen(this.view(), this.now(), this.context);
    const boxes = clipAll(changedBoxes(this.list, next), this.display.framebuffer.width, this.display.framebuffer.height);
    this.list = next;
    if (boxes.length === 0) return boxes;
    const qrDraws = this.display.qrDraws;
    this.display.draw(next, boxes);
    if (this.selectedAt !== undefined && this.display.qrDraws > qrDraws) {
      this.tapToQrMs = performance.now() - this.selectedAt;
      this.selectedAt = undefined;
    }
    this.onFrame(boxes, boxes.map((box) => this.pixelsOf(box)));
    return boxes;
  }

  /** Where a touch does what on the screen now (the automation API's `targets`). */
  get targets(): readonly TouchTarget[] {
    return this.list?.targets ?? [];
  }

  /** What a touch at (x, y) held for `holdMs` means on the screen now. */
  touch(x: number, y: number, holdMs: number): Action | undefined {
    if (!this.list) return undefined;
    const action = hitTest(this.list, x, y, holdMs);
    if (action?.type === 'select') this.selectedAt = performance.now();
    return action;
  }

  /** The box's RGB565 bytes, row after row. */
  private pixelsOf(box: Box): Uint8Array {
    const framebuffer = this.display.framebuffer;
    const rowBytes = box.width * 2;
    const out = new Uint8Array(rowBytes * box.height);
    for (let row = 0; row < box.height; row++) {
      const from = ((box.y + row) * framebuffer.width + box.x) * 2;
      out.set(framebuffer.bytes.subarray(from, from + rowBytes), row * rowBytes);
    }
    return out;
  }
}

function clipAll(boxes: Box[], width: number, height: number): Box[] {
  const clipped: Box[] = [];
  for (const box of boxes) {
    const x = Math.max(0, box.x);
    const y = Math.max(0, box.y);
    const right = Math.min(width, box.x + box.width);
    const bottom = Math.min(height, box.y + box.height);
    if (right > x && bottom > y) clipped.push({ x, y, width: right - x, height: bottom - y });
  }
  return clipped;
}

/** Copies a box's pixels (as pixelsOf cut them) into a framebuffer's bytes: the page's mirror. */
export function pasteBox(bytes: Uint8Array, width: number, box: Box, pixels: Uint8Array): void {
  const rowBytes = box.width * 2;
  for (let row = 0; row < box.height; row++) {
    bytes.set(pixels.subarray(row * rowBytes, (row + 1) * rowBytes), ((box.y + row) * width + box.x) * 2);
  }
}
