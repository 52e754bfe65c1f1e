import {
  assertCacheValue,
  type BatchOperation,
  CacheError,
  type CacheValue,
  type JsonValue,
  type PubSubMessage,
} from '@arcade/cache';

/** Rejects what is not a non-empty string: keys and channels. */
export function checkName(name: unknown, what: 'key' | 'channel'): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new CacheError('INVALID_ARGUMENT', `A ${what} must be a non-empty string, got ${describe(name)}.`);
  }
  return name;
}

/** Returns the absolute expiry time for `ttlMs`, or `undefined` when there is no TTL. */
export function expiryFor(ttlMs: unknown, now: number): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new CacheError(
      'INVALID_ARGUMENT',
      `ttlMs must be a positive finite number of milliseconds, got ${describe(ttlMs)}.`,
    );
  }
  return now + ttlMs;
}

/** Checks that every member is a string and returns them. */
export function checkMembers(members: readonly unknown[]): readonly string[] {
  for (const member of members) {
    if (typeof member !== 'string') {
      throw new CacheError('INVALID_ARGUMENT', `Set members must be strings, got ${describe(member)}.`);
    }
  }
  return members as readonly string[];
}

/** Rejects a pub/sub payload that is neither a string nor bytes. */
export function checkMessage(message: unknown): asserts message is PubSubMessage {
  if (typeof message !== 'string' && !(message instanceof Uint8Array)) {
    throw new CacheError(
      'INVALID_ARGUMENT',
      `A message must be a string or a Uint8Array, got ${describe(message)}.`,
    );
  }
}

/**
 * Copies a value on its way in, checking that JSON can hold it. Strings, numbers, booleans and
 * null are immutable and kept as they are; objects and arrays are copied deeply; bytes are copied
 * into a plain `Uint8Array`. Like `JSON.stringify`, it drops `undefined` object properties and
 * turns `undefined` array items into `null`; anything else JSON cannot hold is rejected.
 */
export function copyValueIn(value: unknown, what = 'the value'): CacheValue {
  assertCacheValue(value, what);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  return cloneJson(value);
}

/** Copies a stored value on its way out, so that callers never share the stored instance. */
export function copyValueOut(value: CacheValue): CacheValue {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return value.slice();
  return cloneJson(value);
}

/**
 * A deep copy of a value already checked (no checks, no serialization). Like `JSON.stringify`, it
 * drops `undefined` object properties and turns `undefined` array items into `null`.
 */
function cloneJson(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    // Array.from, not map: map would build the copy in the source array's realm.
    return Array.from(value, (item: JsonValue | undefined) => (item === undefined ? null : cloneJson(item)));
  }
  const copy: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) setOwn(copy, key, cloneJson(item));
  }
  return copy;
}

/**
 * `target[key] = item`, except that a `"__proto__"` key (an own property after `JSON.parse`)
 * becomes an own property too instead of replacing the copy's prototype.
 */
function setOwn(target: { [key: string]: JsonValue }, key: string, item: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value: item, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = item;
  }
}

/** Validates a whole batch and copies its values, before anything is applied. */
export function checkBatch(operations: readonly BatchOperation[], now: number): PreparedOperation[] {
  if (!Array.isArray(operations)) {
    throw new CacheError(
      'INVALID_ARGUMENT',
      `batch() takes an array of operations, got ${describe(operations)}.`,
    );
  }
  return operations.map((operation, index): PreparedOperation => {
    const key = checkName(operation?.key, 'key');
    switch (operation.type) {
      case 'set':
        return {
          type: 'set',
          key,
          value: copyValueIn(operation.value, `operations[${index}].value`),
          expiresAt: expiryFor(operation.ttlMs, now),
        };
      case 'remove':
        return { type: 'remove', key };
      case 'setAdd':
      case 'setRemove':
        return { type: operation.type, key, members: checkMembers(operation.members) };
      default:
        throw new CacheError('INVALID_ARGUMENT', `Unknown batch operation type ${describe(operation)}.`);
    }
  });
}

/** A batch operation after validation: values copied, TTLs turned into expiry times. */
export type PreparedOperation =
  | { type: 'set'; key: string; value: CacheValue; expiresAt: number | undefined }
  | { type: 'remove'; key: string }
  | { type: 'setAdd' | 'setRemove'; key: string; members: readonly string[] };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
