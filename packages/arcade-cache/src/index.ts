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
export { CacheError, type CacheErrorCode } from './errors';
