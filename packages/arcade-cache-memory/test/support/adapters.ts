import { CacheError } from '@arcade/cache';
import {
  createMemoryStore,
  MemoryCacheManager,
  type MemoryCacheManagerOptions,
  type MemoryStore,
  type MemoryStoreOptions,
} from '../../src';

const opened: MemoryCacheManager[] = [];

/** A new adapter, initialized. {@link disposeOpened} disposes it after the test. */
export async function open(options?: MemoryCacheManagerOptions): Promise<MemoryCacheManager> {
  const cache = new MemoryCacheManager(options);
  opened.push(cache);
  await cache.init();
  return cache;
}

/** Disposes every adapter {@link open} made: register it with `afterEach`. */
export async function disposeOpened(): Promise<void> {
  await Promise.all(opened.splice(0).map((cache) => cache.dispose()));
}

/** The `CacheError` that `promise` rejects with; fails when it resolves or rejects with anything else. */
export async function rejectionOf(promise: Promise<unknown>): Promise<CacheError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof CacheError)) throw new Error(`expected a CacheError, got ${String(error)}`);
  return error;
}

/** A store whose clock the test sets: the store reads `clock.now`. */
export function storeOnClock(options: Omit<MemoryStoreOptions, 'now'> = {}): {
  clock: { now: number };
  store: MemoryStore;
} {
  const clock = { now: 0 };
  return { clock, store: createMemoryStore({ ...options, now: () => clock.now }) };
}
