// The part of node:assert/strict that the shared tests use, for the XS engine, where node:assert
// does not exist. The XS bundle maps "node:assert/strict" here.
export class AssertionError extends Error {
  override name = 'AssertionError';
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function fail(message: string | undefined, fallback: string): never {
  throw new AssertionError(message ?? fallback);
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map || a instanceof Set) {
    const x = [...(a as Map<unknown, unknown>)];
    const y = [...(b as Map<unknown, unknown>)];
    return same(x, y);
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

type Expected = RegExp | (new (...args: never[]) => unknown) | ((error: unknown) => boolean) | Record<string, unknown>;

function matches(error: unknown, expected: Expected | undefined): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(error instanceof Error ? error.message : String(error));
  if (typeof expected === 'function') {
    // As node:assert does: an Error class is checked with instanceof, any other function validates.
    if (expected.prototype !== undefined && error instanceof (expected as new () => unknown)) return true;
    if (expected === Error || Error.isPrototypeOf(expected)) return false;
    return (expected as (error: unknown) => boolean)(error) === true;
  }
  for (const key of Object.keys(expected)) {
    const want = expected[key];
    const got = (error as Record<string, unknown>)[key];
    if (want instanceof RegExp ? !(typeof got === 'string' && want.test(got)) : !same(got, want)) return false;
  }
  return true;
}

function assert(value: unknown, message?: string): asserts value {
  if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
}

assert.ok = assert;
assert.equal = function equal(actual: unknown, expected: unknown, message?: string): void {
  if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
};
assert.strictEqual = assert.equal;
assert.notEqual = function notEqual(actual: unknown, expected: unknown, message?: string): void {
  if (Object.is(actual, expected)) fail(message, `expected something other than ${show(expected)}`);
};
assert.notStrictEqual = assert.notEqual;
assert.deepEqual = function deepEqual(actual: unknown, expected: unknown, message?: string): void {
  if (!same(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
};
assert.deepStrictEqual = assert.deepEqual;
assert.notDeepStrictEqual = function notDeepStrictEqual(actual: unknown, expected: unknown, message?: string): void {
  if (same(actual, expected)) fail(message, `expected something other than ${show(expected)}`);
};
assert.match = function match(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) fail(message, `expected ${show(actual)} to match ${pattern}`);
};
assert.doesNotMatch = function doesNotMatch(actual: string, pattern: RegExp, message?: string): void {
  if (pattern.test(actual)) fail(message, `expected ${show(actual)} not to match ${pattern}`);
};
assert.fail = function assertFail(message?: string): never {
  return fail(message, 'failed');
};
assert.throws = function throws(body: () => unknown, expected?: Expected, message?: string): void {
  try {
    body();
  } catch (error) {
    if (!matches(error, expected)) fail(message, `unexpected error: ${error instanceof Error ? error.message : show(error)}`);
    return;
  }
  fail(message, 'expected the call to throw');
};
assert.rejects = async function rejects(promise: Promise<unknown> | (() => Promise<unknown>), expected?: Expected, message?: string): Promise<void> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (!matches(error, expected)) fail(message, `unexpected rejection: ${error instanceof Error ? error.message : show(error)}`);
    return;
  }
  fail(message, 'expected the promise to reject');
};
assert.doesNotThrow = function doesNotThrow(body: () => unknown, message?: string): void {
  try {
    body();
  } catch (error) {
    fail(message, `unexpected error: ${error instanceof Error ? error.message : show(error)}`);
  }
};

export default assert;
