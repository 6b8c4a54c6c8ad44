// Packs glyph bitmaps into one atlas page: shelves filled tallest glyph first (ties by code point,
// so the layout depends on nothing but the glyphs), one blank pixel between glyphs.

export interface Box {
  width: number;
  height: number;
}

export interface Placement {
  x: number;
  y: number;
}

export interface Packing {
  width: number;
  height: number;
  /** Where each box went, in the order given. Empty boxes sit at 0,0. */
  placements: Placement[];
}

const GAP = 1;

/**
 * Packs `boxes` (with `codes`, the tie-break) into an atlas of `width` pixels. A width that is a
 * multiple of 8 is what Moddable's png2bmp would pad a 4-bit atlas to anyway.
 */
export function pack(boxes: Box[], codes: number[], width: number): Packing {
  const order = boxes.map((_, i) => i).filter((i) => boxes[i].width > 0 && boxes[i].height > 0);
  order.sort((a, b) => boxes[b].height - boxes[a].height || codes[a] - codes[b]);
  const placements: Placement[] = boxes.map(() => ({ x: 0, y: 0 }));
  let x = GAP;
  let y = GAP;
  let shelf = 0;
  for (const i of order) {
    const box = boxes[i];
    if (box.width + 2 * GAP > width) throw new RangeError(`a ${box.width}-pixel glyph does not fit a ${width}-pixel atlas`);
    if (x + box.width + GAP > width) {
      y += shelf + GAP;
      x = GAP;
      shelf = 0;
    }
    placements[i] = { x, y };
    x += box.width + GAP;
    shelf = Math.max(shelf, box.height);
  }
  return { width, height: y + shelf + GAP, placements };
}

/** An atlas width for `boxes` that makes the page roughly square, a multiple of 8. */
export function atlasWidth(boxes: Box[]): number {
  let area = 0;
  let widest = 0;
  for (const box of boxes) {
    area += (box.width + GAP) * (box.height + GAP);
    widest = Math.max(widest, box.width + 2 * GAP);
  }
  return Math.max(8 * Math.ceil(widest / 8), 8 * Math.ceil(Math.sqrt(area * 1.15) / 8));
}
