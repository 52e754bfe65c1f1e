export { MemoryCacheManager, type MemoryCacheManagerOptions } from './memory-cache-manager';
export { createMemoryStore, MemoryStore, type MemoryStoreOptions } from './memory-store';
