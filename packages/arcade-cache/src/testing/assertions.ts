import assert from 'node:assert/strict';
import { CacheError, type CacheErrorCode } from '../errors';

/** Asserts that `call` returns a promise rejecting with a `CacheError` of `code` (not a sync throw). */
export async function rejectsWithCode(
  what: string,
  code: CacheErrorCode,
  call: () => Promise<unknown>,
): Promise<void> {
  let pending: Promise<unknown>;
  try {
    pending = call();
  } catch (error) {
    assert.fail(`${what} threw synchronously (${describeError(error)}); every method must return a promise`);
  }
  try {
    await pending;
  } catch (error) {
    assert.ok(error instanceof CacheError, `${what} rejected with ${describeError(error)}, not a CacheError`);
    assert.equal(error.code, code, `${what} rejected with code ${error.code}, expected ${code}`);
    return;
  }
  assert.fail(`${what} resolved; expected a CacheError with code ${code}`);
}

/** Asserts that `actual` is a `Uint8Array` holding exactly `expected`'s bytes. */
export function assertBytes(actual: unknown, expected: Uint8Array, what: string): void {
  assert.ok(actual instanceof Uint8Array, `${what}: expected a Uint8Array, got ${typeName(actual)}`);
  assert.equal(actual.byteLength, expected.byteLength, `${what}: byte length differs`);
  assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), `${what}: bytes differ`);
}

/** Asserts that `actual` is the very string `expected` (a string, not a parsed value). */
export function assertSameString(actual: unknown, expected: string, what: string): void {
  assert.equal(typeof actual, 'string', `${what}: expected a string, got ${typeName(actual)}`);
  assert.equal(actual, expected, `${what}: the string changed`);
}

/** Describes a value's type for failure messages. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.constructor.name}(${value.byteLength})`;
  if (Array.isArray(value)) return 'array';
  return typeof value === 'string' ? `string ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Sorted copy, for comparing set members, which come in no particular order. */
export function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

/** `length` pseudo-random bytes (deterministic, so failures reproduce). */
export function patternBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
