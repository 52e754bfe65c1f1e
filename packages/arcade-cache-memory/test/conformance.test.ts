import { runCacheConformanceSuite } from '@arcade/cache/testing';
import { createMemoryStore, MemoryCacheManager } from '../src';

// One store for the whole file, as one Redis server would be: the suite's namespaces keep tests apart.
const realTimeStore = createMemoryStore();
runCacheConformanceSuite(
  { describe, it },
  {
    name: 'MemoryCacheManager (real time)',
    create: ({ namespace }) =>
      new MemoryCacheManager({ store: realTimeStore, keyPrefix: `${namespace}:`, onListenerError: () => {} }),
  },
);

let fakeNow = 1_000_000;
const fakeClockStore = createMemoryStore({ now: () => fakeNow });
runCacheConformanceSuite(
  { describe, it },
  {
    name: 'MemoryCacheManager (fake clock)',
    create: ({ namespace }) =>
      new MemoryCacheManager({
        store: fakeClockStore,
        keyPrefix: `${namespace}:`,
        onListenerError: () => {},
      }),
    advanceTime: (ms) => {
      fakeNow += ms;
    },
  },
);
