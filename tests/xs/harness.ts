// A minimal describe/it runner for the XS engine (xsnap has no mocha). The shared test files in
// tests/core use only describe, it, before/beforeEach/afterEach and node:assert/strict, which
// tests/xs/assert.ts stands in for. Results go to print(), one line each, then a summary line.
declare function print(...values: unknown[]): void;

type Body = () => void | Promise<void>;
interface Suite { name: string; hooks: { before: Body[]; beforeEach: Body[]; afterEach: Body[] }; children: (Suite | Test)[] }
interface Test { name: string; body: Body }

const root: Suite = { name: '', hooks: { before: [], beforeEach: [], afterEach: [] }, children: [] };
let current = root;

function describe(name: string, body: () => void): void {
  const suite: Suite = { name, hooks: { before: [], beforeEach: [], afterEach: [] }, children: [] };
  current.children.push(suite);
  const parent = current;
  current = suite;
  try { body(); } finally { current = parent; }
}
function it(name: string, body: Body): void { current.children.push({ name, body }); }
function before(body: Body): void { current.hooks.before.push(body); }
function beforeEach(body: Body): void { current.hooks.beforeEach.push(body); }
function afterEach(body: Body): void { current.hooks.afterEach.push(body); }

Object.assign(globalThis, { describe, it, before, beforeEach, afterEach });

let passed = 0;
let failed = 0;

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

async function runSuite(suite: Suite, path: string[], inherited: Suite[]): Promise<void> {
  const chain = [...inherited, suite];
  for (const hook of suite.hooks.before) await hook();
  for (const child of suite.children) {
    if ('children' in child) {
      await runSuite(child, [...path, child.name], chain);
      continue;
    }
    const title = [...path, child.name].join(' > ');
    try {
      for (const s of chain) for (const hook of s.hooks.beforeEach) await hook();
      try {
        await child.body();
      } finally {
        for (const s of [...chain].reverse()) for (const hook of s.hooks.afterEach) await hook();
      }
      passed++;
      print(`ok - ${title}`);
    } catch (error) {
      failed++;
      print(`not ok - ${title}: ${describeError(error)}`);
    }
  }
}

export async function run(): Promise<void> {
  try {
    await runSuite(root, [], []);
  } catch (error) {
    failed++;
    print(`not ok - suite setup: ${describeError(error)}`);
  }
  print(`xs: ${passed} passed, ${failed} failed`);
}
