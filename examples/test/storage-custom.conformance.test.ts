import { runCacheConformanceSuite } from '@arcade/cache/testing';
import { createMemoryStore, MemoryCacheManager } from '@arcade/cache-memory';
import { CountingCacheManager } from '../src/counting-cache-manager';

// The one call that checks a CacheManager of your own against the whole contract. Adapters of one
// namespace share a store (as two processes share a database); other namespaces do not see them.
const store = createMemoryStore();
runCacheConformanceSuite(
  { describe, it },
  {
    name: 'CountingCacheManager',
    create: ({ namespace }) =>
      new CountingCacheManager(
        new MemoryCacheManager({ store, keyPrefix: `${namespace}:`, onListenerError: () => {} }),
      ),
  },
);
