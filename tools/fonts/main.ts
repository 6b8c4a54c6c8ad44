// npm run fonts [-- --out DIR]: makes the screens' bitmap fonts (tools/fonts/faces.ts) into
// assets/fonts (or DIR), with the font's licence beside them. The output is committed, so building
// the firmware needs neither this tool nor its packages.
//
// A PNG whose pixels did not change is left as it is: the pixels are deterministic, but zlib's
// compressed bytes may differ between Node versions, and an unchanged font should not show a diff.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { BmfFont } from 'fonts/bmf';
import { FACES, LICENCE_NAME, LICENCE_SOURCE } from './faces';
import { generateFont } from './generate';

export const DEFAULT_OUT = resolve(import.meta.dirname, '../../assets/fonts');

function samePixels(path: string, png: Buffer): boolean {
  if (!existsSync(path)) return false;
  const before = PNG.sync.read(readFileSync(path));
  const after = PNG.sync.read(png);
  return before.width === after.width && before.height === after.height && before.data.equals(after.data);
}

export function writeFonts(out: string): { name: string; glyphs: number; atlas: string; bytes: number }[] {
  mkdirSync(out, { recursive: true });
  const written = FACES.map((face) => {
    const files = generateFont(face);
    writeFileSync(join(out, `${face.name}.fnt`), files.fnt);
    const pngPath = join(out, `${face.name}.png`);
    if (!samePixels(pngPath, files.png)) writeFileSync(pngPath, files.png);
    return { name: face.name, glyphs: new BmfFont(files.fnt).charCount, atlas: `${files.width}x${files.height}`, bytes: files.fnt.length + (files.width * files.height) / 2 };
  });
  copyFileSync(LICENCE_SOURCE, join(out, LICENCE_NAME));
  return written;
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = resolve(values.out ?? DEFAULT_OUT);
  for (const font of writeFonts(out)) {
    console.log(`${font.name}: ${font.glyphs} glyphs, atlas ${font.atlas}, ${font.bytes} bytes on the device (.fnt + 4-bit atlas)`);
  }
  console.log(`fonts and ${LICENCE_NAME} in ${out}`);
}
