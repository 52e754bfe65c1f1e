import { type BatchOperation, CacheError, type PubSubMessage } from '@arcade/cache';
import type { PreparedOperation } from './batch-script';
import { encodeValue } from './codec';

/** An `INVALID_ARGUMENT` error. */
export function invalid(message: string): CacheError {
  return new CacheError('INVALID_ARGUMENT', message);
}

/** `key` itself when it is a non-empty string. */
export function checkKey(key: unknown, what = 'key'): string {
  if (typeof key !== 'string' || key === '') throw invalid(`${what} must be a non-empty string`);
  return key;
}

/** `members` when every one is a string. */
export function checkMembers(members: readonly unknown[]): string[] {
  for (const member of members) {
    if (typeof member !== 'string') throw invalid(`set members must be strings, got ${typeof member}`);
  }
  return members as string[];
}

/**
 * Milliseconds for PX (a whole number), or `undefined` for no expiry. A TTL beyond
 * `Number.MAX_SAFE_INTEGER` ms (285,000 years) is capped there: Redis refuses larger ones, which
 * would also abort a batch's script half-way.
 */
export function checkTtl(ttlMs: number): number;
export function checkTtl(ttlMs: number | undefined): number | undefined;
export function checkTtl(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw invalid(`ttlMs must be a positive finite number of milliseconds, got ${ttlMs}`);
  }
  return Math.min(Math.ceil(ttlMs), Number.MAX_SAFE_INTEGER);
}

/** `message` when it is a string or bytes; `what` names the call in the error. */
export function checkMessage(message: unknown, what: string): PubSubMessage {
  if (typeof message !== 'string' && !(message instanceof Uint8Array)) {
    throw invalid(`${what} takes a string or a Uint8Array`);
  }
  return message;
}

/** `text` as a literal inside a SCAN MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Validates, prefixes (with `prefixed`) and encodes one batch operation; `what` names its value in errors. */
export function prepareOperation(
  operation: BatchOperation,
  prefixed: (key: string) => string,
  what: string,
): PreparedOperation {
  const key = prefixed(operation?.key);
  switch (operation.type) {
    case 'set':
      return {
        kind: 'set',
        key,
        value: encodeValue(operation.value, what),
        ttlMs: checkTtl(operation.ttlMs),
      };
    case 'remove':
      return { kind: 'del', key };
    case 'setAdd':
    case 'setRemove':
      if (!Array.isArray(operation.members)) throw invalid(`${operation.type} in a batch needs members`);
      return {
        kind: operation.type === 'setAdd' ? 'sadd' : 'srem',
        key,
        members: checkMembers(operation.members),
      };
    default:
      throw invalid(`unknown batch operation ${JSON.stringify((operation as { type?: unknown }).type)}`);
  }
}
