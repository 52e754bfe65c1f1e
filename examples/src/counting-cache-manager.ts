// A custom storage adapter for the "custom" storage example: a CacheManager of your own. This one
// keeps the data in another adapter (a MemoryCacheManager by default) and counts the calls per
// method, which is how you would add metrics, tracing or logging around any store. An adapter for
// another database implements the same interface; either way, check it with the conformance suite
// (test/storage-custom.conformance.test.ts shows the one call).
import type {
  BatchOperation,
  CacheManager,
  CacheStatus,
  CacheValue,
  LogAppendOptions,
  LogPosition,
  LogRead,
  LogReadOptions,
  MessageListener,
  PubSubMessage,
  SetOptions,
  Unsubscribe,
} from '@arcade/cache';
import { MemoryCacheManager } from '@arcade/cache-memory';

export class CountingCacheManager implements CacheManager {
  readonly #inner: CacheManager;
  readonly #calls = new Map<string, number>();

  /** `inner` holds the data (a non-sharded adapter). @default a new MemoryCacheManager */
  constructor(inner: CacheManager = new MemoryCacheManager()) {
    this.#inner = inner;
  }

  /** How many times each data method was called so far, by name. */
  get calls(): Record<string, number> {
    return Object.fromEntries(this.#calls);
  }

  get status(): CacheStatus {
    return this.#inner.status;
  }

  onStatusChange(listener: (status: CacheStatus) => void): () => void {
    return this.#inner.onStatusChange(listener);
  }

  init(options?: unknown): Promise<void> {
    return this.#inner.init(options);
  }

  dispose(): Promise<void> {
    return this.#inner.dispose();
  }

  get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined> {
    return this.#count('get', () => this.#inner.get<T>(key));
  }

  set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    return this.#count('set', () => this.#inner.set(key, value, options));
  }

  setIfAbsent(key: string, value: CacheValue, options?: SetOptions): Promise<boolean> {
    return this.#count('setIfAbsent', () => this.#inner.setIfAbsent(key, value, options));
  }

  remove(key: string): Promise<boolean> {
    return this.#count('remove', () => this.#inner.remove(key));
  }

  contains(key: string): Promise<boolean> {
    return this.#count('contains', () => this.#inner.contains(key));
  }

  clear(): Promise<void> {
    return this.#count('clear', () => this.#inner.clear());
  }

  setAdd(key: string, ...members: string[]): Promise<number> {
    return this.#count('setAdd', () => this.#inner.setAdd(key, ...members));
  }

  setRemove(key: string, ...members: string[]): Promise<number> {
    return this.#count('setRemove', () => this.#inner.setRemove(key, ...members));
  }

  setMembers(key: string): Promise<string[]> {
    return this.#count('setMembers', () => this.#inner.setMembers(key));
  }

  setSize(key: string): Promise<number> {
    return this.#count('setSize', () => this.#inner.setSize(key));
  }

  batch(operations: readonly BatchOperation[]): Promise<void> {
    return this.#count('batch', () => this.#inner.batch(operations));
  }

  appendToLog(key: string, message: PubSubMessage, options: LogAppendOptions): Promise<LogPosition> {
    return this.#count('appendToLog', () => this.#inner.appendToLog(key, message, options));
  }

  readLog(key: string, options: LogReadOptions): Promise<LogRead> {
    return this.#count('readLog', () => this.#inner.readLog(key, options));
  }

  publish(channel: string, message: PubSubMessage): Promise<number> {
    return this.#count('publish', () => this.#inner.publish(channel, message));
  }

  subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    return this.#count('subscribe', () => this.#inner.subscribe(channel, listener));
  }

  // Counts the call, then runs it. A synchronous throw of the inner adapter becomes a rejection,
  // as the contract asks (every method reports failure by rejecting).
  async #count<T>(method: string, call: () => Promise<T>): Promise<T> {
    this.#calls.set(method, (this.#calls.get(method) ?? 0) + 1);
    return call();
  }
}
