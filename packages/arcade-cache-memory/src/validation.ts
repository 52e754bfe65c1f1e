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
 *
 * Checking and copying are one walk ({@link checkedCopy}); whatever that walk does not take at once
 * goes through the full check, which rejects it with the path of the culprit, or accepts it (a very
 * deep value, an array with holes) for the plain copy.
 */
export function copyValueIn(value: unknown, what = 'the value'): CacheValue {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  const copy = checkedCopy(value, 0);
  if (copy !== NEEDS_FULL_CHECK) return copy;
  assertCacheValue(value, what);
  return cloneJson(value as JsonValue);
}

/** What {@link checkedCopy} answers for a value it leaves to the full check. */
const NEEDS_FULL_CHECK: unique symbol = Symbol('needs the full check');

/**
 * Deeper than this, {@link checkedCopy} stops: the value may hold a cycle, which only the full check
 * (with its set of ancestors) tells apart from a value that is merely deep.
 */
const MAX_CHECKED_DEPTH = 64;

/**
 * The copy of a JSON value, checked on the way: no path strings, no set of ancestors and no entry
 * arrays, which the full check builds for every item and a connection record (written twice per
 * connect) paid for in garbage. Answers {@link NEEDS_FULL_CHECK} for anything it is not sure of:
 * what JSON cannot hold, a nesting past {@link MAX_CHECKED_DEPTH}, an array whose own keys are not
 * exactly its indexes (holes, extra properties, which the full check looks at).
 */
function checkedCopy(value: unknown, depth: number): JsonValue | typeof NEEDS_FULL_CHECK {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : NEEDS_FULL_CHECK;
    case 'object':
      break;
    default:
      return NEEDS_FULL_CHECK;
  }
  if (value === null) return null;
  if (depth >= MAX_CHECKED_DEPTH) return NEEDS_FULL_CHECK;
  if (Array.isArray(value)) {
    const length = value.length;
    if (Object.keys(value).length !== length) return NEEDS_FULL_CHECK;
    // Exactly `length` slots: a stored array lives as long as its key, and `push` would leave room
    // for 16 more items in each.
    const copy = new Array<JsonValue>(length);
    for (let i = 0; i < length; i++) {
      const item: unknown = value[i];
      const itemCopy = item === undefined ? null : checkedCopy(item, depth + 1);
      if (itemCopy === NEEDS_FULL_CHECK) return NEEDS_FULL_CHECK;
      copy[i] = itemCopy;
    }
    return copy;
  }
  if (!isPlainObject(value)) return NEEDS_FULL_CHECK;
  // A spread copy is laid out like its source: its properties inside the object, as many slots as it
  // has. Added one by one to `{}`, properties past the fourth spill into a separate array: a stored
  // connection record took 50-60 bytes more (bench/README.md, "Fourth pass"). The walk then reads the
  // copy, whose properties are plain data (a getter of the source ran once), and replaces the nested
  // objects with their own copies; writing an own "__proto__" data property stays an own property.
  const copy: { [key: string]: unknown } = { ...value };
  if (Object.getOwnPropertySymbols(copy).length > 0) return NEEDS_FULL_CHECK;
  for (const key of Object.keys(copy)) {
    const item = copy[key];
    // Dropping a property from the copy would slow every later access to it: built again without.
    if (item === undefined) return copyDefinedProperties(copy, depth);
    const itemCopy = checkedCopy(item, depth + 1);
    if (itemCopy === NEEDS_FULL_CHECK) return NEEDS_FULL_CHECK;
    if (itemCopy !== item) copy[key] = itemCopy;
  }
  return copy as { [key: string]: JsonValue };
}

/** {@link checkedCopy} of a plain object with `undefined` properties, which the copy leaves out. */
function copyDefinedProperties(
  value: { [key: string]: unknown },
  depth: number,
): JsonValue | typeof NEEDS_FULL_CHECK {
  const copy: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item === undefined) continue;
    const itemCopy = checkedCopy(item, depth + 1);
    if (itemCopy === NEEDS_FULL_CHECK) return NEEDS_FULL_CHECK;
    setOwn(copy, key, itemCopy);
  }
  return copy;
}

/**
 * An object literal or a null-prototype object, from this realm or another one: the objects the full
 * check takes (`assertCacheValue` in @arcade/cache).
 */
function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null;
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
