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

/** How many characters of a string, or bytes of a payload, a failure message shows. */
const SHOWN = 40;

/**
 * Names a string for a failure message as a JavaScript literal would, with every control character
 * escaped (`"a\u0000b"`), so that a NUL or a line break is visible; a long one is cut, with its length.
 */
export function quote(text: string): string {
  if (text.length <= SHOWN) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, SHOWN)).slice(0, -1)}…" (${text.length} characters)`;
}

/**
 * Names a value for a failure message: a string quoted (see {@link quote}), bytes with their class,
 * length and first bytes in hex (`Buffer of 4 bytes <01 02 03 04>`), anything else by its type.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (value instanceof Uint8Array) {
    const hex = Array.from(value.subarray(0, SHOWN / 2), (byte) => byte.toString(16).padStart(2, '0'));
    const more = value.byteLength > SHOWN / 2 ? ' …' : '';
    return `${value.constructor.name} of ${value.byteLength} bytes <${hex.join(' ')}${more}>`;
  }
  return typeName(value);
}

/**
 * Names a payload by its kind and size, as a test names what it sent: `message of 1048576 bytes`,
 * `message of 65536 characters`; short strings by their value.
 */
export function sizeName(message: string | Uint8Array, noun = 'message'): string {
  if (message instanceof Uint8Array) return `${noun} of ${message.byteLength} bytes`;
  return message.length <= SHOWN ? `${noun} ${quote(message)}` : `${noun} of ${message.length} characters`;
}

/**
 * Asserts that `actual` holds exactly `expected`'s bytes. Any `Uint8Array` passes, a `Buffer` too:
 * the class of the bytes is no part of the contract, so it is never reported as a difference. A
 * string, or anything else, is reported as the wrong kind, not as different bytes.
 */
export function assertBytes(actual: unknown, expected: Uint8Array, what: string): void {
  if (!(actual instanceof Uint8Array)) {
    const kind = typeof actual === 'string' ? ' (bytes came back as text)' : '';
    assert.fail(`${what}: expected bytes (${expected.byteLength}), got ${describeValue(actual)}${kind}`);
  }
  if (actual.byteLength !== expected.byteLength) {
    assert.fail(
      `${what}: got ${actual.byteLength} bytes instead of ${expected.byteLength}` +
        `${sameStart(actual, expected) ? ', the same up to there (cut short or padded?)' : ''}`,
    );
  }
  const index = firstDifference(actual, expected);
  if (index !== -1) {
    assert.fail(
      `${what}: the bytes differ from offset ${index} on ` +
        `(got 0x${hex(actual[index])}, expected 0x${hex(expected[index])})`,
    );
  }
}

/** Asserts that `actual` is the very string `expected` (a string, not a parsed value, not bytes). */
export function assertSameString(actual: unknown, expected: string, what: string): void {
  if (typeof actual !== 'string') {
    const kind = actual instanceof Uint8Array ? ' (text came back as bytes)' : '';
    assert.fail(`${what}: expected the string ${quote(expected)}, got ${describeValue(actual)}${kind}`);
  }
  if (actual === expected) return;
  const index = firstDifference(actual, expected);
  const at = index === -1 ? Math.min(actual.length, expected.length) : index;
  assert.fail(
    `${what}: expected ${quote(expected)}, got ${quote(actual)}; ` +
      (actual.length === expected.length
        ? `they differ from index ${at} on`
        : `${actual.length} characters instead of ${expected.length}, the first difference at index ${at}`),
  );
}

/** Asserts that a received payload is `expected`: the same kind (text or bytes) and the same content. */
export function assertMessage(actual: unknown, expected: string | Uint8Array, what: string): void {
  if (typeof expected === 'string') assertSameString(actual, expected, what);
  else assertBytes(actual, expected, what);
}

/** Index of the first element where `a` and `b` differ within their common length, or -1. */
function firstDifference(a: ArrayLike<unknown>, b: ArrayLike<unknown>): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) if (a[i] !== b[i]) return i;
  return -1;
}

function sameStart(a: Uint8Array, b: Uint8Array): boolean {
  return firstDifference(a, b) === -1;
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}

/** Describes a value's type for failure messages. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.constructor.name}(${value.byteLength})`;
  if (Array.isArray(value)) return 'array';
  return typeof value === 'string' ? `string ${quote(value)}` : typeof value;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Asserts that `actual` holds the members `expected` lists, in any order, each once; a failure names
 * the members missing and those that should not be there (`"a\u0000b" is missing, "ab" should not be there`).
 */
export function assertSameMembers(
  actual: readonly string[],
  expected: readonly string[],
  what: string,
): void {
  const missing = expected.filter((member) => !actual.includes(member));
  const extra = actual.filter((member) => !expected.includes(member));
  const repeated = actual.filter((member, index) => actual.indexOf(member) !== index);
  const problems = [
    ...missing.map((member) => `${quote(member)} is missing`),
    ...extra.map((member) => `${quote(member)} should not be there`),
    ...repeated.map((member) => `${quote(member)} is listed twice`),
  ];
  if (problems.length > 0) assert.fail(`${what}: ${problems.join(', ')}`);
  if (actual.length !== expected.length) {
    assert.fail(`${what}: ${actual.length} members instead of ${expected.length}`);
  }
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
