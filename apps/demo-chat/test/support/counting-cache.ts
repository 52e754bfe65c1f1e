import type { BatchOperation, CacheManager } from '@arcade/cache';

/** One storage call: the `CacheManager` method and the keys (or channel) it named. */
export interface StorageCall {
  readonly method: string;
  readonly keys: readonly string[];
}

/** A real cache seen through {@link countStorageCalls}. */
export interface CountedCache {
  /** Use this one: it is the real cache, with every storage call recorded. */
  readonly cache: CacheManager;
  /** The calls since the start or the last `reset()`, in order. */
  readonly calls: StorageCall[];
  reset(): void;
}

// The methods of the CacheManager contract that reach the storage (one round trip each).
const STORAGE_METHODS = new Set([
  'get',
  'set',
  'setIfAbsent',
  'remove',
  'contains',
  'clear',
  'setAdd',
  'setRemove',
  'setMembers',
  'setSize',
  'batch',
  'appendToLog',
  'readLog',
  'publish',
  'subscribe',
]);

function keysOf(method: string, args: readonly unknown[]): string[] {
  if (method === 'batch') return (args[0] as readonly BatchOperation[]).map((operation) => operation.key);
  return typeof args[0] === 'string' ? [args[0]] : [];
}

/**
 * Records every storage call made through `inner`, a real `CacheManager` (memory or Redis), which
 * still does all the work. A proxy rather than a subclass, so it wraps any adapter; methods run on
 * `inner` itself, whose private fields a proxy receiver could not reach.
 */
export function countStorageCalls(inner: CacheManager): CountedCache {
  const calls: StorageCall[] = [];
  const cache = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = String(property);
      if (!STORAGE_METHODS.has(method)) return value.bind(target);
      return (...args: unknown[]) => {
        calls.push({ method, keys: keysOf(method, args) });
        return value.apply(target, args);
      };
    },
  });
  return {
    cache,
    calls,
    reset: () => {
      calls.length = 0;
    },
  };
}
