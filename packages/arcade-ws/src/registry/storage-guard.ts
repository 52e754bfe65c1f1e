import { CacheError, type CacheManager } from '@arcade/cache';
import { StorageUnavailableError } from '../errors';
import { DeadlineBuckets } from './deadlines';

/** How long one storage call may take before it fails with StorageUnavailableError (docs/design.md, guarantee 6: within 5 s). */
export const STORAGE_TIMEOUT_MS = 4000;

const UNAVAILABLE_CODES = new Set(['UNAVAILABLE', 'DISPOSED', 'NOT_INITIALIZED']);

/**
 * Why the guard turned a call into StorageUnavailableError: the cache's status said it is unreachable,
 * the call did not answer in time, or the adapter answered that it is unavailable.
 */
export type StorageRefusal = 'status' | 'timeout' | 'unavailable';

/**
 * Where a cache counts the calls the guard refuses: set by the metrics wrapper of
 * src/operations/instrumented-cache.ts, read here only on the failure paths.
 */
export const STORAGE_REFUSALS = Symbol('arcade.storageRefusals');

/** A cache that may count refusals. */
interface CountingCache {
  readonly [STORAGE_REFUSALS]?: (reason: StorageRefusal) => void;
}

/**
 * Runs one storage call with a deadline: an adapter that queues commands while it reconnects could
 * otherwise hold a caller for ever. Unavailability (a CacheError with code UNAVAILABLE, DISPOSED or
 * NOT_INITIALIZED, or the deadline) becomes a {@link StorageUnavailableError}; other errors pass.
 */
export function guardStorage<T>(
  cache: CacheManager,
  what: string,
  call: () => Promise<T>,
  timeoutMs = STORAGE_TIMEOUT_MS,
): Promise<T> {
  if (cache.status === 'unavailable' || cache.status === 'disposed') {
    (cache as CountingCache)[STORAGE_REFUSALS]?.('status');
    return Promise.reject(new StorageUnavailableError(`Cannot ${what}: the cache is ${cache.status}`));
  }
  // Not async: the error mapping runs on the failure paths only, and a call that succeeds (every
  // publish and record write) costs the deadline's promise alone, not another around it.
  return withDeadline(what, call, timeoutMs, (error) => refusal(cache, what, error));
}

/** What the guard rejects with when `call` failed with `error`. */
function refusal(cache: CacheManager, what: string, error: unknown): unknown {
  if (isCacheError(error) && UNAVAILABLE_CODES.has(error.code)) {
    (cache as CountingCache)[STORAGE_REFUSALS]?.('unavailable');
    return new StorageUnavailableError(`Cannot ${what}: ${error.message}`, { cause: error });
  }
  // withDeadline's own: the call did not answer in time.
  if (error instanceof StorageUnavailableError) (cache as CountingCache)[STORAGE_REFUSALS]?.('timeout');
  return error;
}

const deadlines = new DeadlineBuckets();

/**
 * Runs `call`, rejecting with StorageUnavailableError if it has not settled within `timeoutMs` (at
 * most one 100 ms slice later: deadlines share timers, see {@link DeadlineBuckets}).
 * A synchronous throw of `call` becomes the rejection. Every rejection goes through `mapError` first.
 */
export function withDeadline<T>(
  what: string,
  call: () => Promise<T>,
  timeoutMs = STORAGE_TIMEOUT_MS,
  mapError: (error: unknown) => unknown = (error) => error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = deadlines.add(timeoutMs, () =>
      reject(
        mapError(
          new StorageUnavailableError(`Cannot ${what}: the cache did not answer within ${timeoutMs} ms`),
        ),
      ),
    );
    let pending: Promise<T>;
    try {
      // Promise.resolve: a `call` that answers synchronously still settles the deadline.
      pending = Promise.resolve(call());
    } catch (error) {
      deadline.cancel();
      reject(mapError(error));
      return;
    }
    pending.then(
      (value) => {
        deadline.cancel();
        resolve(value);
      },
      (error: unknown) => {
        deadline.cancel();
        reject(mapError(error));
      },
    );
  });
}

/** By class, or by shape when the adapter was built against another copy of @arcade/cache. */
function isCacheError(error: unknown): error is CacheError {
  return (
    error instanceof CacheError ||
    (error instanceof Error && error.name === 'CacheError' && typeof (error as CacheError).code === 'string')
  );
}
