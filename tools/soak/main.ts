// `npm run soak -- [--sales N] [--seed S] [--verbose]`: the desktop machine under a stream of
// customers and faults, through its automation API only (tools/soak/soak.ts). Prints one line
// `N sales, M violations, K power cuts`, then the memory at the start and the end. Exit code 1
// when a money rule was broken.
import { parseArgs } from 'node:util';
import { runSoak } from './soak';

export const DEFAULT_SALES = 12;
const USAGE = `usage: npm run soak -- [--sales N] [--seed S] [--verbose]

  --sales N    how many sales (default ${DEFAULT_SALES})
  --seed S     seed of the customers, faults and cuts (default: random, printed)
  --verbose    one line per sale`;

const mb = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 1048576).toFixed(1)} MB`);

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ options: { sales: { type: 'string' }, seed: { type: 'string' }, verbose: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) return console.log(USAGE);
  const sales = values.sales === undefined ? DEFAULT_SALES : Number(values.sales);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(sales) || sales < 1 || !Number.isInteger(seed)) {
    console.error(`--sales must be a whole number >= 1 and --seed a whole number\n${USAGE}`);
    process.exit(2);
  }
  console.log(`soak: ${sales} sales, seed ${seed}`);
  const result = await runSoak({ sales, seed, ...(values.verbose ? { log: (line: string) => console.log(line) } : { log: (line: string) => { if (/^(VIOLATION|stall)/.test(line)) console.log(line); } }) });
  for (const v of result.violations) console.log(`violation: ${v.rule} ${v.reference}: ${v.detail}`);
  console.log(`outcomes: ${Object.entries(result.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}; ${result.faults} faults, ${result.networkCuts} network cuts, ${result.stalls} stalls; ${(result.durationMs / 1000).toFixed(0)} s`);
  console.log(`${result.sales} sales, ${result.violations.length} violations, ${result.powerCuts} power cuts`);
  console.log(`memory: machine process RSS ${mb(result.machineRss.start)} at the start, ${mb(result.machineRss.end)} at the end; page server and emulator ${mb(result.serverRss.start)} -> ${mb(result.serverRss.end)}`);
  process.exit(result.violations.length > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(`soak: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
