// A QR matrix as text for a terminal: two module rows per line with half-block characters. Light
// modules (quiet zone included) are drawn as foreground blocks, dark ones left as background; with
// `color`, each line forces white on black so that light terminal themes do not invert the code.
import { QUIET_ZONE } from 'qr/draw';
import type { QrMatrix } from 'qr/matrix';

// Index: (top dark ? 2 : 0) | (bottom dark ? 1 : 0). Light modules print as full blocks.
const CELLS = ['█', '▀', '▄', ' '];

export function qrToText(matrix: QrMatrix, { color = false } = {}): string {
  const { size, modules } = matrix;
  const side = size + 2 * QUIET_ZONE;
  const dark = (x: number, y: number) => {
    const mx = x - QUIET_ZONE;
    const my = y - QUIET_ZONE;
    return mx >= 0 && my >= 0 && mx < size && my < size && modules[my * size + mx] === 1;
  };
  const lines: string[] = [];
  for (let y = 0; y < side; y += 2) {
    let line = '';
    for (let x = 0; x < side; x++) line += CELLS[(dark(x, y) ? 2 : 0) | (dark(x, y + 1) ? 1 : 0)];
    lines.push(color ? `\x1b[97;40m${line}\x1b[0m` : line);
  }
  return lines.join('\n');
}
