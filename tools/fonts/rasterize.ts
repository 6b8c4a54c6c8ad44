// Turns a glyph outline into a coverage bitmap: curves flattened to lines, then the exact area
// of each pixel inside the outline (the signed-area accumulation of font-rs and stb_truetype),
// which is what anti-aliasing means and needs no supersampling. Plain arithmetic on doubles, no
// library and no platform maths, so the same outline gives the same bytes on every machine.
import type { PathCommand } from 'opentype.js';

export interface Coverage {
  /** Box of the bitmap relative to the glyph origin (y grows downwards, baseline at 0). */
  left: number;
  top: number;
  width: number;
  height: number;
  /** 0..1 per pixel, rows top to bottom. */
  values: Float64Array;
}

type Lines = number[]; // x0, y0, x1, y1, ... in pixels

function addQuadratic(lines: Lines, x0: number, y0: number, cx: number, cy: number, x: number, y: number): void {
  const dx = x0 - 2 * cx + x;
  const dy = y0 - 2 * cy + y;
  const deviation = dx * dx + dy * dy;
  // Enough pieces that each stays within about 1/16 pixel of the curve.
  const pieces = deviation < 1 / 3 ? 1 : 1 + Math.floor(Math.sqrt(Math.sqrt(3 * deviation)));
  let px = x0;
  let py = y0;
  for (let i = 1; i <= pieces; i++) {
    const t = i / pieces;
    const u = 1 - t;
    const nx = u * u * x0 + 2 * u * t * cx + t * t * x;
    const ny = u * u * y0 + 2 * u * t * cy + t * t * y;
    lines.push(px, py, nx, ny);
    px = nx;
    py = ny;
  }
}

function addCubic(lines: Lines, x0: number, y0: number, c1x: number, c1y: number, c2x: number, c2y: number, x: number, y: number): void {
  const ax = x0 - 2 * c1x + c2x;
  const ay = y0 - 2 * c1y + c2y;
  const bx = c1x - 2 * c2x + x;
  const by = c1y - 2 * c2y + y;
  const deviation = Math.max(ax * ax + ay * ay, bx * bx + by * by);
  const pieces = deviation < 1 / 3 ? 1 : 1 + Math.floor(Math.sqrt(Math.sqrt(6 * deviation)));
  let px = x0;
  let py = y0;
  for (let i = 1; i <= pieces; i++) {
    const t = i / pieces;
    const u = 1 - t;
    const nx = u * u * u * x0 + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t * t * t * x;
    const ny = u * u * u * y0 + 3 * u * u * t * c1y + 3 * u * t * t * c2y + t * t * t * y;
    lines.push(px, py, nx, ny);
    px = nx;
    py = ny;
  }
}

/** The outline as closed polygons of line segments. */
export function flatten(commands: PathCommand[]): Lines {
  const lines: Lines = [];
  let startX = 0;
  let startY = 0;
  let x = 0;
  let y = 0;
  for (const command of commands) {
    switch (command.type) {
      case 'M':
        if (x !== startX || y !== startY) lines.push(x, y, startX, startY);
        startX = x = command.x;
        startY = y = command.y;
        break;
      case 'L':
        lines.push(x, y, command.x, command.y);
        x = command.x;
        y = command.y;
        break;
      case 'Q':
        addQuadratic(lines, x, y, command.x1, command.y1, command.x, command.y);
        x = command.x;
        y = command.y;
        break;
      case 'C':
        addCubic(lines, x, y, command.x1, command.y1, command.x2, command.y2, command.x, command.y);
        x = command.x;
        y = command.y;
        break;
      case 'Z':
        if (x !== startX || y !== startY) lines.push(x, y, startX, startY);
        x = startX;
        y = startY;
        break;
    }
  }
  if (x !== startX || y !== startY) lines.push(x, y, startX, startY);
  return lines;
}

/** Adds one line's signed area to the accumulation rows (stride `width + 2`). */
function accumulateLine(accumulator: Float64Array, stride: number, height: number, ax: number, ay: number, bx: number, by: number): void {
  if (ay === by) return;
  let direction = 1;
  let x0 = ax, y0 = ay, x1 = bx, y1 = by;
  if (y0 > y1) {
    direction = -1;
    [x0, y0, x1, y1] = [x1, y1, x0, y0];
  }
  const slope = (x1 - x0) / (y1 - y0);
  let x = x0;
  const firstRow = Math.max(0, Math.floor(y0));
  const lastRow = Math.min(height, Math.ceil(y1));
  if (y0 < firstRow) x += (firstRow - y0) * slope;
  for (let row = firstRow; row < lastRow; row++) {
    const rowStart = row * stride;
    const dy = Math.min(row + 1, y1) - Math.max(row, y0);
    const xNext = x + slope * dy;
    const d = dy * direction;
    const left = Math.min(x, xNext);
    const right = Math.max(x, xNext);
    const leftFloor = Math.floor(left);
    const leftIndex = leftFloor;
    const rightCeil = Math.ceil(right);
    const rightIndex = rightCeil;
    if (rightIndex <= leftIndex + 1) {
      // Within one pixel column: split by where the segment's middle falls.
      const middle = 0.5 * (x + xNext) - leftFloor;
      accumulator[rowStart + leftIndex] += d - d * middle;
      accumulator[rowStart + leftIndex + 1] += d * middle;
    } else {
      const inverse = 1 / (right - left);
      const leftFraction = left - leftFloor;
      const firstArea = 0.5 * inverse * (1 - leftFraction) * (1 - leftFraction);
      const rightFraction = right - rightCeil + 1;
      const lastArea = 0.5 * inverse * rightFraction * rightFraction;
      accumulator[rowStart + leftIndex] += d * firstArea;
      if (rightIndex === leftIndex + 2) {
        accumulator[rowStart + leftIndex + 1] += d * (1 - firstArea - lastArea);
      } else {
        const secondArea = inverse * (1.5 - leftFraction);
        accumulator[rowStart + leftIndex + 1] += d * (secondArea - firstArea);
        for (let column = leftIndex + 2; column < rightIndex - 1; column++) accumulator[rowStart + column] += d * inverse;
        const beforeLast = secondArea + (rightIndex - leftIndex - 3) * inverse;
        accumulator[rowStart + rightIndex - 1] += d * (1 - beforeLast - lastArea);
      }
      accumulator[rowStart + rightIndex] += d * lastArea;
    }
    x = xNext;
  }
}

/** Coverage of the outline over the pixels it touches; an empty bitmap for a blank glyph. */
export function rasterize(commands: PathCommand[]): Coverage {
  const lines = flatten(commands);
  if (lines.length === 0) return { left: 0, top: 0, width: 0, height: 0, values: new Float64Array(0) };
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < lines.length; i += 2) {
    minX = Math.min(minX, lines[i]);
    maxX = Math.max(maxX, lines[i]);
    minY = Math.min(minY, lines[i + 1]);
    maxY = Math.max(maxY, lines[i + 1]);
  }
  const left = Math.floor(minX);
  const top = Math.floor(minY);
  const width = Math.max(1, Math.ceil(maxX) - left);
  const height = Math.max(1, Math.ceil(maxY) - top);
  const stride = width + 2;
  const accumulator = new Float64Array(stride * height);
  for (let i = 0; i < lines.length; i += 4) {
    accumulateLine(accumulator, stride, height, lines[i] - left, lines[i + 1] - top, lines[i + 2] - left, lines[i + 3] - top);
  }
  const values = new Float64Array(width * height);
  for (let row = 0; row < height; row++) {
    let sum = 0;
    for (let column = 0; column < width; column++) {
      sum += accumulator[row * stride + column];
      // Non-zero winding, overlapping contours included: more than fully inside is inside.
      values[row * width + column] = Math.min(1, Math.abs(sum));
    }
  }
  return { left, top, width, height, values };
}
