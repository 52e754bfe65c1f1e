import { CacheError, type CacheManager } from '@arcade/cache';
import { StorageUnavailableError } from '../errors';
import { DeadlineBuckets } from './deadlines';

/** How long one storage call may take before it fails with StorageUnavailableError (docs/design.md, guarantee 6: within 5 s). */
export const STORAGE_TIMEOUT_MS = 4000;

const UNAVAILABLE_CODES = new Set(['UNAVAILABLE', 'DISPOSED', 'NOT_INITIALIZED']);

/**
 * Runs one storage call with a deadline: an adapter that queues commands while it reconnects could
 * otherwise hold a caller for ever. Unavailability (a CacheError with code UNAVAILABLE, DISPOSED or
 * NOT_INITIALIZED, or the deadline) becomes a {@link StorageUnavailableError}; other errors pass.
 */
export async function guardStorage<T>(
  cache: CacheManager,
  what: string,
  call: () => Promise<T>,
  timeoutMs = STORAGE_TIMEOUT_MS,
): Promise<T> {
  if (cache.status === 'unavailable' || cache.status === 'disposed') {
    throw new StorageUnavailableError(`Cannot ${what}: the cache is ${cache.status}`);
  }
  try {
    return await withDeadline(what, call, timeoutMs);
  } catch (error) {
    if (isCacheError(error) && UNAVAILABLE_CODES.has(error.code)) {
      throw new StorageUnavailableError(`Cannot ${what}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

const deadlines = new DeadlineBuckets();

/**
 * Runs `call`, rejecting with StorageUnavailableError if it has not settled within `timeoutMs` (at
 * most one 100 ms slice later: deadlines share timers, see {@link DeadlineBuckets}).
 * A synchronous throw of `call` becomes the rejection.
 */
export function withDeadline<T>(
  what: string,
  call: () => Promise<T>,
  timeoutMs = STORAGE_TIMEOUT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = deadlines.add(timeoutMs, () =>
      reject(new StorageUnavailableError(`Cannot ${what}: the cache did not answer within ${timeoutMs} ms`)),
    );
    let pending: Promise<T>;
    try {
      // Promise.resolve: a `call` that answers synchronously still settles the deadline.
      pending = Promise.resolve(call());
    } catch (error) {
      deadline.cancel();
      reject(error);
      return;
    }
    pending.then(
      (value) => {
        deadline.cancel();
        resolve(value);
      },
      (error: unknown) => {
        deadline.cancel();
        reject(error);
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
