import type { CacheValue, CappedLog, LogPosition, PubSubMessage } from '@arcade/cache';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The clock TTLs are measured on, in milliseconds. Pass a fake one to test expiry without
   * waiting.
   * @default Date.now
   */
  now?: () => number;
  /**
   * How often expired keys that nobody reads are swept away. Reads never return an expired key
   * whatever this is; the sweep only bounds the memory they hold. Its timer is unref'd and runs
   * only while an initialized adapter uses the store.
   * @default 1000
   */
  sweepIntervalMs?: number;
}

/** @internal A value stored with an expiry. */
export class ExpiringValue {
  constructor(
    readonly value: CacheValue,
    readonly expiresAt: number,
  ) {}
}

/** @internal A log, always stored with an expiry. */
export class StoredLog {
  constructor(
    readonly log: CappedLog,
    readonly expiresAt: number,
  ) {}
}

/**
 * @internal One stored key: a value without an expiry, kept as it is (a wrapper object per key was
 * 48 bytes each: the WebSocket registry stores a record per connection), a value with its expiry, a
 * set of members, or a log. Stored values are the adapter's own copies, plain JSON or bytes, so none
 * is a `Set` or one of the classes above: {@link kindOf} tells them apart.
 */
export type Entry = CacheValue | ExpiringValue | Set<string> | StoredLog;

/** @internal What an entry holds. */
export type EntryKind = 'value' | 'set' | 'log';

/** @internal */
export function kindOf(entry: Entry): EntryKind {
  return entry instanceof Set ? 'set' : entry instanceof StoredLog ? 'log' : 'value';
}

/** @internal The value of an entry of kind `value`. */
export function storedValueOf(entry: Entry): CacheValue {
  return entry instanceof ExpiringValue ? entry.value : (entry as CacheValue);
}

/** The expiry of an entry, if it has one. */
function expiryOf(entry: Entry): number | undefined {
  return entry instanceof ExpiringValue || entry instanceof StoredLog ? entry.expiresAt : undefined;
}

/** @internal What {@link MemoryStore.peek} shows of a key. */
export type StoredKeyView =
  | { readonly kind: 'value'; readonly value: CacheValue; readonly expiresAt: number | undefined }
  | { readonly kind: 'set'; readonly members: readonly string[]; readonly expiresAt: undefined }
  | { readonly kind: 'log'; readonly expiresAt: number };

/** @internal Receives the messages of one full (prefixed) channel for one adapter. */
export interface ChannelSubscriber {
  deliver(message: PubSubMessage, position: LogPosition | undefined): void;
}

/**
 * The in-process equivalent of one Redis server: keys, sets and pub/sub channels. Adapters given
 * the same store share its data and hear each other's messages, like several processes on one
 * Redis; give them different `keyPrefix`es to keep their keys and channels apart. Create one with
 * {@link createMemoryStore}.
 */
export class MemoryStore {
  /** @internal */
  readonly entries = new Map<string, Entry>();
  /** @internal */
  readonly channels = new Map<string, Set<ChannelSubscriber>>();
  /** @internal The clock TTLs are measured on. */
  readonly now: () => number;
  private readonly expiring = new Set<string>();
  private readonly sweepIntervalMs: number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private users = 0;
  /**
   * Deliveries waiting for the next flush, flat: subscriber, message, position, then the next one
   * (an object per delivery was most of what a publish allocated).
   */
  private queue: Array<ChannelSubscriber | PubSubMessage | LogPosition | undefined> = [];
  private flushScheduled = false;

  /** @internal Use {@link createMemoryStore}. */
  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1000;
  }

  /** @internal The live entry at `key`, deleting it first when it has expired. */
  read(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const expiresAt = expiryOf(entry);
    if (expiresAt !== undefined && expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    return entry;
  }

  /**
   * @internal What `key` holds now, with its expiry (`undefined`: nothing): for tests that look at a
   * shared store from outside its adapters.
   */
  peek(key: string): StoredKeyView | undefined {
    const entry = this.read(key);
    if (entry === undefined) return undefined;
    if (entry instanceof Set) return { kind: 'set', members: [...entry], expiresAt: undefined };
    if (entry instanceof StoredLog) return { kind: 'log', expiresAt: entry.expiresAt };
    return { kind: 'value', value: storedValueOf(entry), expiresAt: expiryOf(entry) };
  }

  /** @internal */
  write(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    if (expiryOf(entry) !== undefined) this.expiring.add(key);
    else this.expiring.delete(key);
  }

  /** @internal */
  delete(key: string): boolean {
    this.expiring.delete(key);
    return this.entries.delete(key);
  }

  /**
   * @internal Queues `message` for each subscriber. Delivery happens on a later turn of the event
   * loop, like a message coming back from a server: never inside `publish`, in publish order.
   */
  enqueue(subscribers: Iterable<ChannelSubscriber>, message: PubSubMessage, position?: LogPosition): void {
    for (const subscriber of subscribers) this.queue.push(subscriber, message, position);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** @internal An adapter started using the store: keep the sweep running. */
  attach(): void {
    this.users += 1;
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => this.sweep(), this.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** @internal An adapter stopped using the store: the last one stops the sweep. */
  detach(): void {
    this.users -= 1;
    if (this.users > 0 || !this.sweepTimer) return;
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private flush(): void {
    this.flushScheduled = false;
    // Messages published by listeners during this flush wait for the next one, so that a listener
    // that publishes cannot starve the event loop.
    const batch = this.queue;
    this.queue = [];
    for (let i = 0; i < batch.length; i += 3) {
      const subscriber = batch[i] as ChannelSubscriber;
      subscriber.deliver(batch[i + 1] as PubSubMessage, batch[i + 2] as LogPosition | undefined);
    }
  }

  private sweep(): void {
    for (const key of this.expiring) this.read(key);
  }
}

/** Creates a store that several {@link MemoryCacheManager}s can share (see {@link MemoryStore}). */
export function createMemoryStore(options?: MemoryStoreOptions): MemoryStore {
  return new MemoryStore(options);
}
