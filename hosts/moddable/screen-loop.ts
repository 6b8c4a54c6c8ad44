// The device's screen: what the controller shows, drawn as it changes. Changes that come in one
// turn are drawn once, on the next turn (so the create request is on the wire before the
// "creating" screen is painted); a short tick redraws countdowns (the screens keep their last
// list, so a tick that changes nothing costs nothing). Touches are hit-tested against the list on
// the screen now.
import Timer from 'timer';
import type { DisplayList } from 'app/screens/display-list';
import { changedBoxes } from 'app/screens/changed-boxes';
import { hitTest } from 'app/screens/hit-test';
import { screen, type ScreenContext } from 'app/screens/screen';
import type { Action, MachineView } from 'app/sale/view';
import type { Box } from 'qr/pixel-sink';

/** Countdowns tick by the second: a redraw this often is never late by much. */
export const TICK_MS = 250;

/** What draws a list (hosts/moddable/display's PocoDisplay). */
export interface ListPainter {
  draw(list: DisplayList, boxes?: readonly Box[]): void;
  readonly qrDraws: number;
}

export class ScreenLoop {
  private list: DisplayList | undefined;
  private queued: Timer | undefined;
  private readonly ticker: Timer;
  /** Told after each paint with the boxes painted. */
  onPaint: ((list: DisplayList, boxes: readonly Box[]) => void) | undefined;

  constructor(
    private readonly painter: ListPainter,
    private readonly context: ScreenContext,
    private readonly view: () => MachineView,
    private readonly now: () => number,
  ) {
    this.ticker = Timer.repeat(() => this.render(), TICK_MS);
  }

  /** Draws on the next turn, once however many changes come before it. */
  changed(): void {
    if (this.queued !== undefined) return;
    this.queued = Timer.set(() => {
      this.queued = undefined;
      this.render();
    }, 0);
  }

  render(): void {
    const next = screen(this.view(), this.now(), this.context);
    if (next === this.list) return;
    const boxes = changedBoxes(this.list, next);
    this.list = next;
    if (boxes.length === 0) return;
    this.painter.draw(next, boxes);
    this.onPaint?.(next, boxes);
  }

  get current(): DisplayList | undefined {
    return this.list;
  }

  /** What a touch at (x, y) held for `holdMs` means on the screen now. */
  touch(x: number, y: number, holdMs: number): Action | undefined {
    return this.list ? hitTest(this.list, x, y, holdMs) : undefined;
  }

  stop(): void {
    Timer.clear(this.ticker);
    if (this.queued !== undefined) Timer.clear(this.queued);
  }
}
