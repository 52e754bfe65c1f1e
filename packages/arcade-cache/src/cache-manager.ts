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
 * `position` is there for a message published by {@link CacheManager.appendToLog}: where it sits in
 * its log.
 */
export type MessageListener = (message: PubSubMessage, channel: string, position?: LogPosition) => void;

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

/**
 * Where an entry sits in a log. `offset` counts the entries of the log from 1; `epoch` names one
 * life of the log: when the log is lost (it expired, was removed, the server restarted empty) the
 * next append starts a new epoch, never used before for that key, so a position from an earlier
 * life can never be mistaken for a current one.
 */
export interface LogPosition {
  readonly epoch: string;
  readonly offset: number;
}

/** One entry of a log, as read back. */
export interface LogEntry {
  /** Its offset in the log's current epoch. */
  readonly offset: number;
  /** Exactly as appended: text as a string (even when it looks like JSON), bytes as a `Uint8Array`. */
  readonly message: PubSubMessage;
  /** When the storage appended it, in milliseconds since 1970 by the storage's clock. */
  readonly time: number;
}

/** Options of {@link CacheManager.appendToLog}. */
export interface LogAppendOptions {
  /** How many entries the log keeps, a positive integer: an append beyond it drops the oldest. */
  readonly maxLength: number;
  /** How long the log lives after this append, in milliseconds (positive, finite); each append renews it. */
  readonly ttlMs: number;
  /**
   * A channel to publish the message on, in the same atomic step as the append. Subscribers receive
   * it with its position (the third argument of {@link MessageListener}).
   * @default no publish
   */
  readonly channel?: string;
}

/** Options of {@link CacheManager.readLog}. */
export interface LogReadOptions {
  /**
   * Read only the entries after this position. Used only when its epoch is the log's current one and
   * its offset is not past the newest; otherwise it is ignored and the newest entries are read.
   * @default undefined (the newest entries)
   */
  readonly after?: LogPosition;
  /** At most this many entries, the newest of those selected: an integer, 0 or more. */
  readonly limit: number;
}

/** What {@link CacheManager.readLog} found. */
export interface LogRead {
  /** The newest entry's position; `null` when there is no log (never written, expired, removed). */
  readonly position: LogPosition | null;
  /** The entries read, oldest first. */
  readonly entries: LogEntry[];
}

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
   * On a sharded adapter (see {@link CacheManager.shardOf}) every key must be on one shard, else
   * `CROSS_SLOT` and nothing is applied.
   */
  batch(operations: readonly BatchOperation[]): Promise<void>;

  /**
   * Present only on an adapter that spreads keys over shards (a Redis Cluster): the shard a key or
   * channel name lives on. Names sharing a hash tag, the text between the first `{` and the next `}`
   * when it is not empty (`room:{lobby}` and `history:{lobby}`), are always on one shard. Such an
   * adapter applies a `batch`, or an `appendToLog` with its channel, only when every name is on one
   * shard, and otherwise rejects with `CROSS_SLOT`, applying nothing. When it is absent, a batch may
   * mix any keys.
   */
  readonly shardOf?: (name: string) => number;

  /**
   * Appends `message` to the capped log at `key` and, with `options.channel`, publishes it there: one
   * atomic step, so the order of a log's entries is the order in which every subscriber receives them
   * (whichever adapters append), and no subscriber receives a message before a read can find it. A
   * missing log starts at offset 1 in a new epoch; each append adds exactly 1. The log keeps the newest
   * `maxLength` entries and expires `ttlMs` after its last append. Resolves the entry's position.
   * `WRONG_TYPE` when `key` holds a value or a set; `set` and `remove` replace or delete a log as they
   * do any key. On a sharded adapter the key and the channel must be on one shard (`CROSS_SLOT`).
   */
  appendToLog(key: string, message: PubSubMessage, options: LogAppendOptions): Promise<LogPosition>;
  /**
   * Reads the log at `key` in one atomic step: its newest position and up to `limit` entries (see
   * {@link LogReadOptions}), oldest first. `WRONG_TYPE` when `key` holds a value or a set.
   */
  readLog(key: string, options: LogReadOptions): Promise<LogRead>;

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
