// What to redraw between two display lists of the same screen: the boxes of the items that differ,
// compared item by item without allocating. A new screen (another name, background or shape of
// list) is cleared and drawn once, as one full-screen box. The QR item compares equal while its
// text is unchanged, so the QR is never sent again for a countdown tick.
import type { Box, DisplayItem, DisplayList } from 'app/screens/display-list';
import { FULL_SCREEN } from 'app/layout';

export function changedBoxes(previous: DisplayList | undefined, next: DisplayList): Box[] {
  if (!previous || previous.screen !== next.screen || previous.background !== next.background || previous.items.length !== next.items.length) {
    return [FULL_SCREEN];
  }
  const boxes: Box[] = [];
  const before = previous.items;
  const after = next.items;
  for (let i = 0; i < after.length; i++) {
    const a = before[i];
    const b = after[i];
    if (a.kind !== b.kind) return [FULL_SCREEN];
    if (sameItem(a, b)) continue;
    if (sameBox(a.box, b.box)) boxes.push(b.box);
    else boxes.push(a.box, b.box);
  }
  return boxes;
}

function sameBox(a: Box, b: Box): boolean {
  return a === b || (a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height);
}

function sameItem(a: DisplayItem, b: DisplayItem): boolean {
  if (!sameBox(a.box, b.box)) return false;
  switch (a.kind) {
    case 'rect':
      return a.color === (b as typeof a).color;
    case 'text': {
      const other = b as typeof a;
      return a.text === other.text && a.font === other.font && a.color === other.color && a.align === other.align;
    }
    case 'qr':
      return a.text === (b as typeof a).text;
  }
}
