import { CacheError, type CacheErrorCode } from '@arcade/cache';
import { MemoryCacheManager } from '@arcade/cache-memory';
import { deferred } from '@arcade/test-support';
import { StorageUnavailableError } from '../../src/errors';
import { guardStorage, withDeadline } from '../../src/registry/storage-guard';

// Guarantee 6 of docs/design.md: a call that needs the storage fails with StorageUnavailableError when
// the storage is unavailable, whichever adapter reports it; any other failure reaches the caller as
// the adapter reported it; and a storage that answers late crashes nothing.

let cache: MemoryCacheManager;

beforeAll(() => {
  cache = new MemoryCacheManager();
  return cache.init();
});

afterAll(() => cache.dispose());

function failingWith(error: unknown): () => Promise<never> {
  return () => Promise.reject(error);
}

/** A CacheError as an adapter built against another copy of @arcade/cache throws it: same shape, other class. */
function foreignCacheError(code: string): Error {
  return Object.assign(new Error(`foreign ${code}`), { name: 'CacheError', code });
}

it.each<[CacheErrorCode, string]>([
  ['UNAVAILABLE', 'becomes StorageUnavailableError'],
  ['DISPOSED', 'becomes StorageUnavailableError'],
  ['NOT_INITIALIZED', 'becomes StorageUnavailableError'],
  ['WRONG_TYPE', 'passes on unchanged'],
  ['INVALID_ARGUMENT', 'passes on unchanged'],
  ['OPERATION_FAILED', 'passes on unchanged'],
])('a CacheError %s, of our class or of another copy of it, %s', async (code, outcome) => {
  for (const error of [new CacheError(code, 'from the adapter (test)'), foreignCacheError(code)]) {
    const failure = guardStorage(cache, 'test', failingWith(error));
    if (outcome === 'passes on unchanged') await expect(failure).rejects.toBe(error);
    else await expect(failure).rejects.toBeInstanceOf(StorageUnavailableError);
  }
});

it('passes on unchanged an error that only looks like an unavailable CacheError in part', async () => {
  const lookalikes = [
    Object.assign(new Error('a code, not a CacheError'), { code: 'UNAVAILABLE' }),
    Object.assign(new Error('the name, a code that is no string'), { name: 'CacheError', code: 14 }),
    { name: 'CacheError', code: 'UNAVAILABLE', message: 'not an Error at all' },
  ];
  for (const error of lookalikes) {
    await expect(guardStorage(cache, 'test', failingWith(error))).rejects.toBe(error);
  }
});

it('lets a call answer after its deadline failed it, with no error thrown anywhere', async () => {
  const late = deferred<string>();
  await expect(withDeadline('test', () => late.promise, 50)).rejects.toBeInstanceOf(StorageUnavailableError);
  // The answer cancels a deadline that has already fired: that must be a no-op, not an unhandled throw.
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    late.resolve('too late');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
