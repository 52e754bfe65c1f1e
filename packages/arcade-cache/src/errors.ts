/** Stable codes of {@link CacheError}: match on these, not on messages. */
export type CacheErrorCode =
  /** A data method was called before `init()` resolved. */
  | 'NOT_INITIALIZED'
  /** A method was called after `dispose()`. */
  | 'DISPOSED'
  /** The backing server cannot be reached now; the call was not applied. */
  | 'UNAVAILABLE'
  /** An argument is not acceptable (an empty key, a negative TTL, a value JSON cannot hold). */
  | 'INVALID_ARGUMENT'
  /** A key holds a value of another kind (a set where a value was expected, or the reverse). */
  | 'WRONG_TYPE'
  /** The backing server refused the operation (authentication, permissions, an unknown command). */
  | 'OPERATION_FAILED'
  /**
   * A sharded adapter (Redis Cluster) was asked to change keys (or a log and its channel) that live
   * on different shards in one atomic step; nothing was applied. Give them a common hash tag.
   */
  | 'CROSS_SLOT';

/** The one error type of `@arcade/cache` and its adapters. */
export class CacheError extends Error {
  override readonly name = 'CacheError';

  constructor(
    readonly code: CacheErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
