/** A value that JSON can represent exactly. Strings stay strings, even when they look like JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a cache stores under a key: a JSON value, or bytes (always read back as a `Uint8Array`). */
export type CacheValue = JsonValue | Uint8Array;

/** A pub/sub payload: delivered exactly as published, text as a string and bytes as a `Uint8Array`. */
export type PubSubMessage = string | Uint8Array;

/**
 * Receives each message published on a subscribed channel, in publish order per publisher, with
 * the channel name as it was subscribed (without the adapter's prefix). Bytes arrive in a copy of
 * the listener's own. A listener that throws is reported by the adapter and affects nothing else.
 */
export type MessageListener = (message: PubSubMessage, channel: string) => void;

/** Ends one subscription. Resolves once no further message reaches its listener. Idempotent. */
export type Unsubscribe = () => Promise<void>;

/** Options of a single write. */
export interface SetOptions {
  /**
   * Time to live in milliseconds, a positive finite number; the key disappears after it.
   * @default no expiry
   */
  ttlMs?: number;
}

/** One write of an atomic {@link CacheManager.batch}. */
export type BatchOperation =
  | { readonly type: 'set'; readonly key: string; readonly value: CacheValue; readonly ttlMs?: number }
  | { readonly type: 'remove'; readonly key: string }
  | { readonly type: 'setAdd'; readonly key: string; readonly members: readonly string[] }
  | { readonly type: 'setRemove'; readonly key: string; readonly members: readonly string[] };

/** Connection state of an adapter backed by a server; in-process adapters are always `ready`. */
export type CacheStatus = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'unavailable' | 'disposed';

/**
 * The storage contract of Arcade. Adapters (memory, Redis, your own) implement it; `@arcade/ws`
 * keeps its connection registry, rooms and cluster messages in it.
 *
 * Every method is asynchronous and reports failure by rejecting with a `CacheError` (never by
 * throwing synchronously). Before `init()` every data method rejects with `NOT_INITIALIZED`, after
 * `dispose()` with `DISPOSED`. Keys and channels are non-empty strings (`INVALID_ARGUMENT`
 * otherwise), namespaced by the adapter (a key prefix), so two adapters with different prefixes
 * never see each other's keys or messages. Values are copied when written and when read: nothing
 * the caller holds aliases what is stored.
 *
 * `@arcade/cache/testing` checks all of this: run `runCacheConformanceSuite` against an adapter.
 */
export interface CacheManager {
  /** Connects or prepares the adapter. Idempotent: a second call waits for the first. */
  init(options?: unknown): Promise<void>;
  /** Releases every timer, subscription and connection the adapter opened. Idempotent. */
  dispose(): Promise<void>;
  /** Current connection state: `idle` before `init()`, `disposed` after `dispose()`. */
  readonly status: CacheStatus;
  /**
   * Calls `listener` on every status change (for example `reconnecting` then `ready` after a
   * server restart, `disposed` on dispose). Returns a function that removes the listener.
   */
  onStatusChange(listener: (status: CacheStatus) => void): () => void;

  /** The value stored at `key`, or `undefined` when there is none (or it expired). `WRONG_TYPE` on a set. */
  get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined>;
  /**
   * Stores `value` at `key`, replacing what was there (of any kind) and its TTL: without `ttlMs`
   * the key no longer expires. A value JSON cannot hold (`undefined`, `NaN`, a function...) rejects
   * with `INVALID_ARGUMENT`; inside an object or array, `undefined` is treated as `JSON.stringify`
   * treats it (the property is left out, an array item reads back as `null`).
   */
  set(key: string, value: CacheValue, options?: SetOptions): Promise<void>;
  /**
   * Stores `value` at `key` only if the key holds nothing; the write and its TTL are atomic.
   * Resolves `true` when it wrote, `false` when the key holds a value or a set. This is the
   * primitive for leases and locks; renew a lease with `set(key, value, { ttlMs })`.
   */
  setIfAbsent(key: string, value: CacheValue, options?: SetOptions): Promise<boolean>;
  /** Deletes `key` (a value or a set). Resolves `true` when something was deleted. */
  remove(key: string): Promise<boolean>;
  /** Whether `key` holds a value or a non-empty set. */
  contains(key: string): Promise<boolean>;
  /** Deletes every key of this adapter's namespace, and only those. */
  clear(): Promise<void>;

  /**
   * Adds members to the set at `key`; resolves how many were not members before (0 with no
   * members). `WRONG_TYPE` when the key holds a value.
   */
  setAdd(key: string, ...members: string[]): Promise<number>;
  /** Removes members from the set at `key`; resolves how many were members. An emptied set is deleted. */
  setRemove(key: string, ...members: string[]): Promise<number>;
  /** The members of the set at `key` (empty when missing), in no particular order. */
  setMembers(key: string): Promise<string[]>;
  /** The number of members of the set at `key` (0 when missing). */
  setSize(key: string): Promise<number>;

  /**
   * Applies every operation, in order, as one step no other client can observe half-done. Every
   * operation is validated first: an invalid one rejects with `INVALID_ARGUMENT` and applies none.
   */
  batch(operations: readonly BatchOperation[]): Promise<void>;

  /**
   * Publishes `message` on `channel`. Resolves the number of adapters subscribed to it (one per
   * adapter however many listeners it has, as Redis counts connections); 0 when nobody hears it.
   * Delivery is asynchronous: no listener runs inside `publish`.
   */
  publish(channel: string, message: PubSubMessage): Promise<number>;
  /**
   * Calls `listener` for every message published on `channel` from now on. Resolves once the
   * subscription is live: a message published after that reaches the listener. After a
   * reconnect, an adapter restores its subscriptions by itself.
   */
  subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe>;
}
