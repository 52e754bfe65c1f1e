import type { BatchOperation, CacheManager } from '@arcade/cache';

/** One storage call: the `CacheManager` method and the keys (or channel) it named. */
export interface StorageCall {
  readonly method: string;
  readonly keys: readonly string[];
}

/** Picks the storage call a hold or a failure applies to. */
export type CallMatcher = (call: StorageCall) => boolean;

/** A storage call stopped on its way to the cache by {@link ProbedCache.holdNext}. */
export interface HeldCall {
  /** Resolves once the call arrived (it waits, not sent yet). */
  readonly reached: Promise<void>;
  /** Sends the call on to the cache (now, or as soon as it arrives). Idempotent. */
  release(): void;
}

/** A real cache seen through {@link probeCache}. */
export interface ProbedCache {
  /** Use this one: it is the real cache, with every storage call recorded. */
  readonly cache: CacheManager;
  /** The calls since the start or the last `reset()`, in order. */
  readonly calls: StorageCall[];
  reset(): void;
  /**
   * Stops the next call that `matches` before it reaches the cache, until `release()`: what happens
   * meanwhile is what happens while that storage step is under way. Release it before the storage
   * deadline of @arcade/ws (4 s) or the caller fails it as unavailable.
   */
  holdNext(matches: CallMatcher): HeldCall;
  /** Rejects the next call that `matches` with `error`, without sending it to the cache. */
  failNext(matches: CallMatcher, error: Error): void;
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

/** What a matching call gets instead of going straight to the cache. */
type Intercept = (call: StorageCall, send: () => Promise<unknown>) => Promise<unknown>;

/**
 * Records every storage call made through `inner`, a real `CacheManager` (memory or Redis), which
 * still does all the work, and on demand holds or fails one call (the real storage answers every
 * other). A proxy rather than a subclass, so it wraps any adapter; methods run on `inner` itself,
 * whose private fields a proxy receiver could not reach.
 */
export function probeCache(inner: CacheManager): ProbedCache {
  const calls: StorageCall[] = [];
  const intercepts: { matches: CallMatcher; intercept: Intercept }[] = [];
  const cache = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = String(property);
      if (!STORAGE_METHODS.has(method)) return value.bind(target);
      return (...args: unknown[]) => {
        const call = { method, keys: keysOf(method, args) };
        calls.push(call);
        const send = () => value.apply(target, args) as Promise<unknown>;
        const index = intercepts.findIndex(({ matches }) => matches(call));
        if (index < 0) return send();
        const [{ intercept }] = intercepts.splice(index, 1) as [(typeof intercepts)[number]];
        return intercept(call, send);
      };
    },
  });
  return {
    cache,
    calls,
    reset: () => {
      calls.length = 0;
    },
    holdNext(matches) {
      let arrived!: () => void;
      let released!: () => void;
      const reached = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const release = new Promise<void>((resolve) => {
        released = resolve;
      });
      intercepts.push({
        matches,
        intercept: async (_call, send) => {
          arrived();
          await release;
          return send();
        },
      });
      return { reached, release: () => released() };
    },
    failNext(matches, error) {
      intercepts.push({ matches, intercept: () => Promise.reject(error) });
    },
  };
}
