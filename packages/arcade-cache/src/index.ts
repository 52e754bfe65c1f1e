export type {
  BatchOperation,
  CacheManager,
  CacheStatus,
  CacheValue,
  JsonValue,
  LogAppendOptions,
  LogEntry,
  LogPosition,
  LogRead,
  LogReadOptions,
  MessageListener,
  PubSubMessage,
  SetOptions,
  Unsubscribe,
} from './cache-manager';
export { assertCacheValue } from './cache-value';
export { CappedLog, newLogEpoch } from './capped-log';
export { CacheError, type CacheErrorCode } from './errors';
export { assertLogAppendOptions, assertLogReadOptions } from './log-options';
