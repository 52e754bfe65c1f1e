import { CacheError } from '@arcade/cache';
import { ReplyError } from 'ioredis';

const AUTH_FAILURE = /^(WRONGPASS|NOAUTH)|invalid password|invalid username/i;

/** Whether `error` is Redis refusing the credentials (a retry with the same ones cannot succeed). */
export function isAuthFailure(error: unknown): boolean {
  return error instanceof Error && AUTH_FAILURE.test(error.message);
}

/** Adds the fix to Redis's terse credential errors. */
export function authFailure(error: unknown, where: string): CacheError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CacheError(
    'OPERATION_FAILED',
    `Redis at ${where} refused the credentials (${reason}). Check the password (and username) given ` +
      'in the options or the url.',
    { cause: error },
  );
}

/** `UNAVAILABLE`, saying what could not be done and why. */
export function unavailable(what: string, reason: string, cause?: unknown): CacheError {
  return new CacheError('UNAVAILABLE', `${what} failed: Redis is unavailable (${reason})`, { cause });
}

/**
 * Turns whatever ioredis rejected with into a `CacheError`: Redis's own replies keep their meaning
 * (`WRONG_TYPE`, `OPERATION_FAILED`); anything else (a closed connection, a timeout, a refused
 * write while disconnected) means Redis could not be reached: `UNAVAILABLE`.
 */
export function toCacheError(error: unknown, what: string): CacheError {
  if (error instanceof CacheError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ReplyError) {
    if (message.startsWith('WRONGTYPE')) {
      return new CacheError('WRONG_TYPE', `${what}: the key holds another kind of value (${message})`, {
        cause: error,
      });
    }
    if (message.startsWith('CROSSSLOT')) {
      return new CacheError(
        'CROSS_SLOT',
        `${what}: the keys are on different shards of the Redis Cluster (${message})`,
        {
          cause: error,
        },
      );
    }
    if (isAuthFailure(error)) return authFailure(error, what);
    return new CacheError('OPERATION_FAILED', `${what}: Redis refused it (${message})`, { cause: error });
  }
  return unavailable(what, message, error);
}

/**
 * The error that says what went wrong: ioredis's cluster client reports a failed topology read as
 * "Failed to refresh slots cache." and keeps the node's own answer in `lastNodeError`.
 */
export function rootCause(error: Error): Error {
  const inner = (error as { lastNodeError?: unknown }).lastNodeError;
  return inner instanceof Error ? inner : error;
}

/** A node that answers but is not part of a Redis Cluster: retrying cannot help. */
export function isNotACluster(error: Error): boolean {
  return /cluster support disabled/i.test(error.message);
}

/** `OPERATION_FAILED` for a `cluster` option that names a Redis running without cluster mode. */
export function notACluster(error: Error, where: string): CacheError {
  return new CacheError(
    'OPERATION_FAILED',
    `${where} is not a Redis Cluster (${error.message}); for a single server give \`url\` (or host and port), not \`cluster\``,
    { cause: error },
  );
}
