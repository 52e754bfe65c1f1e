import type { LogAppendOptions, LogReadOptions } from './cache-manager';
import { CacheError } from './errors';

// The checks of the log options, here so that every adapter refuses the same options with the same
// message (as assertCacheValue does for values).

/** Throws `CacheError('INVALID_ARGUMENT')` unless `options` are valid {@link LogAppendOptions}. */
export function assertLogAppendOptions(options: unknown): asserts options is LogAppendOptions {
  const { maxLength, ttlMs, channel } = optionsObject(options, 'appendToLog');
  if (!Number.isSafeInteger(maxLength) || (maxLength as number) <= 0) {
    throw invalid(`appendToLog(): maxLength must be a positive integer, got ${describe(maxLength)}`);
  }
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw invalid(
      `appendToLog(): ttlMs must be a positive finite number of milliseconds, got ${describe(ttlMs)}`,
    );
  }
  if (channel !== undefined && (typeof channel !== 'string' || channel === '')) {
    throw invalid(`appendToLog(): channel must be a non-empty string when given, got ${describe(channel)}`);
  }
}

/** Throws `CacheError('INVALID_ARGUMENT')` unless `options` are valid {@link LogReadOptions}. */
export function assertLogReadOptions(options: unknown): asserts options is LogReadOptions {
  const { limit, after } = optionsObject(options, 'readLog');
  if (!Number.isSafeInteger(limit) || (limit as number) < 0) {
    throw invalid(`readLog(): limit must be an integer, 0 or more, got ${describe(limit)}`);
  }
  if (after === undefined) return;
  const { epoch, offset } = (typeof after === 'object' && after !== null ? after : {}) as Record<
    string,
    unknown
  >;
  if (typeof epoch !== 'string' || epoch === '' || !Number.isSafeInteger(offset) || (offset as number) < 0) {
    throw invalid(
      `readLog(): after must be a position { epoch: non-empty string, offset: integer >= 0 }, got ${describe(after)}`,
    );
  }
}

function optionsObject(options: unknown, method: string): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(`${method}() needs an options object, got ${describe(options)}`);
  }
  return options as Record<string, unknown>;
}

function invalid(message: string): CacheError {
  return new CacheError('INVALID_ARGUMENT', message);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value) ?? 'an object';
  return String(value);
}
