// What a touch means, decided in one place for every host: the topmost target under the point
// whose hold time the press reached. A short tap on a long-press target does nothing.
import type { Action } from 'app/sale/view';
import type { DisplayList } from 'app/screens/display-list';

export function hitTest(list: DisplayList, x: number, y: number, holdMs: number): Action | undefined {
  const targets = list.targets;
  for (let i = targets.length - 1; i >= 0; i--) {
    const { box, action, holdMs: needed } = targets[i];
    if (x < box.x || y < box.y || x >= box.x + box.width || y >= box.y + box.height) continue;
    return holdMs >= needed ? action : undefined;
  }
  return undefined;
}
