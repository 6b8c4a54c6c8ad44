// `npm run screens -- --out DIR [--config FILE] [--test-mode]`: renders every screen in every
// language for the sample catalog, through the same display lists and desktop framebuffer as the
// machine, to `<screen>-<language>.png`, plus `overview.png` with all of them side by side (a row
// per language). Testers and translators review the screens from it.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LANGUAGES } from 'app/config/machine-config';
import { validateMachineConfig } from 'app/config/validate';
import { screen } from 'app/screens/screen';
import { sampleScreens } from 'app/screens/samples';
import { SCREEN_HEIGHT, SCREEN_WIDTH } from 'app/layout';
import { rgb565 } from 'qr/pixel-sink';
import { Display, loadScreenFonts } from '../hosts/node/display';
import { Framebuffer } from '../hosts/node/framebuffer';
import { writePng } from '../hosts/node/png';
import { drawText } from '../hosts/node/text-renderer';

const usage = 'usage: npm run screens -- --out DIR [--config config/sample-machine.json] [--test-mode]';
let values;
try {
  ({ values } = parseArgs({ options: { out: { type: 'string' }, config: { type: 'string', default: 'config/sample-machine.json' }, 'test-mode': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } }));
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (values.help || !values.out) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const config = validateMachineConfig(JSON.parse(readFileSync(values.config!, 'utf8')));
const fonts = loadScreenFonts();
const now = 1_700_000_000_000;
// The machine's own languages first, then any others, so every language is reviewed.
const languages = [...config.languages, ...LANGUAGES.filter((language) => !config.languages.includes(language))];
const rows = languages.map((language) => sampleScreens({ ...config, languages: config.languages.includes(language) ? config.languages : [...config.languages, language] }, language, now, values['test-mode']));

const GAP = 12;
const CAPTION = 26;
const columns = rows[0].length;
const overview = new Framebuffer(GAP + columns * (SCREEN_WIDTH + GAP), GAP + rows.length * (SCREEN_HEIGHT + CAPTION + GAP));
overview.fill(rgb565(0x9a, 0x9a, 0xa0));

let written = 0;
rows.forEach((samples, row) => {
  samples.forEach((sample, column) => {
    const framebuffer = new Framebuffer(SCREEN_WIDTH, SCREEN_HEIGHT);
    new Display(framebuffer, fonts).draw(screen(sample.view, now, { config, fonts: fonts.book }));
    const name = `${sample.name}-${sample.view.language}`;
    writePng(framebuffer, join(out, `${name}.png`));
    written++;
    const x = GAP + column * (SCREEN_WIDTH + GAP);
    const y = GAP + row * (SCREEN_HEIGHT + CAPTION + GAP);
    overview.begin(x, y, SCREEN_WIDTH, SCREEN_HEIGHT);
    overview.send(framebuffer.bytes.buffer as ArrayBuffer);
    overview.end();
    drawText(overview, fonts.faces.small, name, x, y + SCREEN_HEIGHT + 2, 0x0000);
  });
});
const overviewPath = join(out, 'overview.png');
writePng(overview, overviewPath);
console.log(`${written} screens (${columns} in each of ${rows.length} languages) in ${out}; overview: ${overviewPath} (${overview.width}x${overview.height})`);
