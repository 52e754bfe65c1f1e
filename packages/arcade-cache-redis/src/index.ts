export type { RedisCacheLogger, RedisCacheManagerOptions } from './options';
export { RedisCacheManager } from './redis-cache-manager';
