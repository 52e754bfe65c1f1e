export type {
  BatchOperation,
  CacheManager,
  CacheStatus,
  CacheValue,
  JsonValue,
  MessageListener,
  PubSubMessage,
  SetOptions,
  Unsubscribe,
} from './cache-manager';
export { assertCacheValue } from './cache-value';
export { CacheError, type CacheErrorCode } from './errors';
