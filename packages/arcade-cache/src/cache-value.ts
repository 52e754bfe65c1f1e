import type { CacheValue } from './cache-manager';
import { CacheError } from './errors';

/**
 * Throws `CacheError('INVALID_ARGUMENT')` unless `value` is a `CacheValue` an adapter can store
 * exactly: a `Uint8Array`, or what JSON holds (strings, finite numbers, booleans, null, arrays and
 * plain objects of those). Inside objects and arrays `undefined` passes, as `JSON.stringify` drops the
 * property or writes `null`; NaN, functions, class instances and cycles do not. Adapters call it
 * before writing, so every adapter refuses the same values with the same message; `what` names the
 * value in it (`'the value'`, `'operations[2].value'`).
 */
export function assertCacheValue(value: unknown, what: string): asserts value is CacheValue {
  if (value instanceof Uint8Array) return;
  assertJson(value, what, new Set());
}

function assertJson(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (Number.isFinite(value)) return;
      throw invalidValue(path, `the number ${value}, which JSON cannot hold`);
    case 'object': {
      if (value === null) return;
      if (ancestors.has(value)) throw invalidValue(path, 'a circular reference');
      if (!Array.isArray(value) && !isPlainObject(value)) {
        throw invalidValue(
          path,
          `an instance of ${value.constructor?.name ?? 'a class'}; store plain objects`,
        );
      }
      ancestors.add(value);
      for (const [key, item] of Object.entries(value)) {
        if (item !== undefined)
          assertJson(item, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, ancestors);
      }
      ancestors.delete(value);
      return;
    }
    default:
      throw invalidValue(path, typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`);
  }
}

/**
 * An object literal or a null-prototype object, from this realm or another one (objects made by
 * Node's core under a test runner's sandbox have another realm's `Object.prototype`).
 */
function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null;
}

function invalidValue(path: string, found: string): CacheError {
  return new CacheError(
    'INVALID_ARGUMENT',
    `Cannot store ${path}: it is ${found}. Store JSON values or a Uint8Array.`,
  );
}
