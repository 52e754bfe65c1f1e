// One piece: the whole CacheManager contract on one MemoryStore, a method per member; the store
// (memory-store.ts), the checks (validation.ts), the batch's kind check (key-kinds.ts) and the log
// (CappedLog, @arcade/cache) live apart.
import {
  assertLogAppendOptions,
  assertLogReadOptions,
  type BatchOperation,
  CacheError,
  type CacheManager,
  type CacheStatus,
  type CacheValue,
  CappedLog,
  type LogAppendOptions,
  type LogPosition,
  type LogRead,
  type LogReadOptions,
  type MessageListener,
  type PubSubMessage,
  type SetOptions,
  type Unsubscribe,
} from '@arcade/cache';
import { checkBatchKinds, type KeyKind, wrongType } from './key-kinds';
import {
  type ChannelSubscriber,
  ExpiringValue,
  kindOf,
  MemoryStore,
  StoredLog,
  storedValueOf,
} from './memory-store';
import {
  checkBatch,
  checkMembers,
  checkMessage,
  checkName,
  copyValueIn,
  copyValueOut,
  expiryFor,
} from './validation';

/** Options of {@link MemoryCacheManager}. */
export interface MemoryCacheManagerOptions {
  /**
   * The store holding the data and channels. Give several adapters the same store (from
   * `createMemoryStore()`) to test multi-instance logic in one process.
   * @default a new store private to this adapter
   */
  store?: MemoryStore;
  /**
   * Prepended to every key and channel in the store. Adapters sharing a store with different
   * prefixes never see each other's keys or messages; `clear()` removes only its prefix's keys.
   * @default '' (the whole store is this adapter's namespace)
   */
  keyPrefix?: string;
  /**
   * Called when a pub/sub listener throws. The error never reaches the publisher or the other
   * listeners.
   * @default reports it with `process.emitWarning`
   */
  onListenerError?: (error: unknown, channel: string) => void;
}

/** The listeners of one channel in one adapter, registered once with the store. */
interface ChannelListeners extends ChannelSubscriber {
  readonly listeners: Set<{ listener: MessageListener }>;
}

/**
 * The in-process `CacheManager`: Arcade's embedded default. Values are kept as objects, copied on
 * the way in and out (never serialized), so nothing the caller holds aliases what is stored. TTLs
 * expire lazily on access and through an unref'd sweep. Pub/sub behaves like Redis: delivery is
 * asynchronous and ordered, and `publish` counts the adapters that hear the channel.
 *
 * ```ts
 * const cache = new MemoryCacheManager();
 * await cache.init();
 * await cache.set('greeting', { text: 'hi' }, { ttlMs: 60_000 });
 * ```
 */
export class MemoryCacheManager implements CacheManager {
  private readonly store: MemoryStore;
  private readonly prefix: string;
  private readonly onListenerError: (error: unknown, channel: string) => void;
  private readonly subscriptions = new Map<string, ChannelListeners>();
  private readonly statusListeners = new Set<(status: CacheStatus) => void>();
  private currentStatus: CacheStatus = 'idle';

  constructor(options: MemoryCacheManagerOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    this.prefix = options.keyPrefix ?? '';
    this.onListenerError = options.onListenerError ?? reportListenerError;
  }

  /** `idle` before `init()`, then `ready` until `disposed`. */
  get status(): CacheStatus {
    return this.currentStatus;
  }

  onStatusChange(listener: (status: CacheStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Starts using the store. Idempotent; rejects with `DISPOSED` after `dispose()`. */
  async init(_options?: unknown): Promise<void> {
    if (this.currentStatus === 'disposed') throw disposedError('init');
    if (this.currentStatus === 'ready') return;
    this.store.attach();
    this.changeStatus('ready');
  }

  /** Drops this adapter's subscriptions and stops its share of the sweep. The store's data stays. */
  async dispose(): Promise<void> {
    if (this.currentStatus === 'disposed') return;
    const wasReady = this.currentStatus === 'ready';
    for (const [channel, subscription] of this.subscriptions) {
      // Messages already queued for this adapter find no listener left.
      subscription.listeners.clear();
      this.unregister(channel, subscription);
    }
    this.subscriptions.clear();
    if (wasReady) this.store.detach();
    this.changeStatus('disposed');
    this.statusListeners.clear();
  }

  async get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined> {
    const value = this.readValue(key, 'get');
    return value === undefined ? undefined : (copyValueOut(value) as T);
  }

  async set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    this.ready('set');
    this.writeValue(checkName(key, 'key'), copyValueIn(value), expiryFor(options?.ttlMs, this.store.now()));
  }

  async setIfAbsent(key: string, value: CacheValue, options?: SetOptions): Promise<boolean> {
    this.ready('setIfAbsent');
    const name = checkName(key, 'key');
    const copy = copyValueIn(value);
    const expiresAt = expiryFor(options?.ttlMs, this.store.now());
    if (this.store.read(this.prefix + name) !== undefined) return false;
    this.writeValue(name, copy, expiresAt);
    return true;
  }

  async remove(key: string): Promise<boolean> {
    this.ready('remove');
    const full = this.prefix + checkName(key, 'key');
    return this.store.read(full) !== undefined && this.store.delete(full);
  }

  async contains(key: string): Promise<boolean> {
    this.ready('contains');
    return this.store.read(this.prefix + checkName(key, 'key')) !== undefined;
  }

  /** Deletes the keys under this adapter's `keyPrefix` (every key of the store when it is ''). */
  async clear(): Promise<void> {
    this.ready('clear');
    for (const key of [...this.store.entries.keys()]) {
      if (key.startsWith(this.prefix)) this.store.delete(key);
    }
  }

  async setAdd(key: string, ...members: string[]): Promise<number> {
    this.ready('setAdd');
    return this.addMembers(checkName(key, 'key'), checkMembers(members));
  }

  async setRemove(key: string, ...members: string[]): Promise<number> {
    this.ready('setRemove');
    return this.removeMembers(checkName(key, 'key'), checkMembers(members));
  }

  async setMembers(key: string): Promise<string[]> {
    const members = this.readSet(key, 'setMembers');
    return members ? [...members] : [];
  }

  async setSize(key: string): Promise<number> {
    return this.readSet(key, 'setSize')?.size ?? 0;
  }

  /** Validates every operation and checks every key's kind first, then applies them all at once. */
  async batch(operations: readonly BatchOperation[]): Promise<void> {
    this.ready('batch');
    const prepared = checkBatch(operations, this.store.now());
    checkBatchKinds(prepared, this.keyKind);
    for (const operation of prepared) {
      switch (operation.type) {
        case 'set':
          this.writeValue(operation.key, operation.value, operation.expiresAt);
          break;
        case 'remove':
          this.store.delete(this.prefix + operation.key);
          break;
        case 'setAdd':
          this.addMembers(operation.key, operation.members);
          break;
        case 'setRemove':
          this.removeMembers(operation.key, operation.members);
          break;
      }
    }
  }

  async publish(channel: string, message: PubSubMessage): Promise<number> {
    this.ready('publish');
    const name = checkName(channel, 'channel');
    checkMessage(message);
    return this.deliverOn(name, message, undefined);
  }

  /** The log is an entry of the store like any key: `set` replaces it, `remove` deletes it, it expires. */
  async appendToLog(key: string, message: PubSubMessage, options: LogAppendOptions): Promise<LogPosition> {
    this.ready('appendToLog');
    const name = checkName(key, 'key');
    checkMessage(message);
    assertLogAppendOptions(options);
    const full = this.prefix + name;
    const entry = this.store.read(full);
    if (entry !== undefined && !(entry instanceof StoredLog))
      throw wrongType(key, 'appendToLog', kindOf(entry));
    const now = this.store.now();
    const log = entry?.log ?? new CappedLog();
    // Stored bytes read back as a plain Uint8Array, as from any other adapter.
    const stored = typeof message === 'string' ? message : new Uint8Array(message);
    const position = Object.freeze(log.append(stored, now, options.maxLength));
    this.store.write(full, new StoredLog(log, now + options.ttlMs));
    if (options.channel !== undefined)
      this.deliverOn(checkName(options.channel, 'channel'), message, position);
    return { ...position };
  }

  async readLog(key: string, options: LogReadOptions): Promise<LogRead> {
    this.ready('readLog');
    const name = checkName(key, 'key');
    assertLogReadOptions(options);
    const entry = this.store.read(this.prefix + name);
    if (entry === undefined) return { position: null, entries: [] };
    if (!(entry instanceof StoredLog)) throw wrongType(key, 'readLog', kindOf(entry));
    const { position, entries } = entry.log.read(options);
    return {
      position: position && { ...position },
      entries: entries.map(({ offset, message, time }) => ({
        offset,
        time,
        message: typeof message === 'string' ? message : message.slice(),
      })),
    };
  }

  /** Queues `message` for the adapters subscribed to `channel`; resolves how many there are. */
  private deliverOn(channel: string, message: PubSubMessage, position: LogPosition | undefined): number {
    const subscribers = this.store.channels.get(this.prefix + channel);
    if (!subscribers || subscribers.size === 0) return 0;
    // Bytes are copied once here (into a new object of the same type: Buffer#slice would be a view),
    // so that the publisher may reuse its buffer at once.
    const copy = typeof message === 'string' ? message : Uint8Array.prototype.slice.call(message);
    this.store.enqueue(subscribers, copy, position);
    return subscribers.size;
  }

  async subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    this.ready('subscribe');
    checkName(channel, 'channel');
    if (typeof listener !== 'function') {
      throw new CacheError('INVALID_ARGUMENT', 'subscribe() needs a listener function.');
    }
    const subscription = this.subscriptions.get(channel) ?? this.register(channel);
    // A wrapper per call, so that the same function subscribed twice is two subscriptions.
    const entry = { listener };
    subscription.listeners.add(entry);
    return async () => {
      if (!subscription.listeners.delete(entry) || subscription.listeners.size > 0) return;
      if (this.subscriptions.get(channel) !== subscription) return;
      this.subscriptions.delete(channel);
      this.unregister(channel, subscription);
    };
  }

  private register(channel: string): ChannelListeners {
    const listeners = new Set<{ listener: MessageListener }>();
    const subscription: ChannelListeners = {
      listeners,
      deliver: (message, position) => {
        if (listeners.size === 1) {
          // A channel's usual case: its one listener, called without a snapshot of the set.
          for (const entry of listeners) return this.notify(entry, channel, message, position);
        }
        for (const entry of [...listeners]) {
          // A listener may unsubscribe another one while we deliver: honour it at once.
          if (listeners.has(entry)) this.notify(entry, channel, message, position);
        }
      },
    };
    this.subscriptions.set(channel, subscription);
    const full = this.prefix + channel;
    const subscribers = this.store.channels.get(full) ?? new Set<ChannelSubscriber>();
    subscribers.add(subscription);
    this.store.channels.set(full, subscribers);
    return subscription;
  }

  /** Calls one listener with a message of its own; what it throws goes to `onListenerError`. */
  private notify(
    entry: { listener: MessageListener },
    channel: string,
    message: PubSubMessage,
    position: LogPosition | undefined,
  ): void {
    const own = typeof message === 'string' ? message : Uint8Array.prototype.slice.call(message);
    try {
      entry.listener(own, channel, position);
    } catch (error) {
      this.onListenerError(error, channel);
    }
  }

  private unregister(channel: string, subscription: ChannelListeners): void {
    const full = this.prefix + channel;
    const subscribers = this.store.channels.get(full);
    subscribers?.delete(subscription);
    if (subscribers?.size === 0) this.store.channels.delete(full);
  }

  private ready(method: string): void {
    if (this.currentStatus === 'ready') return;
    if (this.currentStatus === 'disposed') throw disposedError(method);
    throw new CacheError(
      'NOT_INITIALIZED',
      `MemoryCacheManager.${method}() was called before init(); await cache.init() first.`,
    );
  }

  private readValue(key: string, method: string): CacheValue | undefined {
    this.ready(method);
    const entry = this.store.read(this.prefix + checkName(key, 'key'));
    if (entry === undefined) return undefined;
    if (kindOf(entry) !== 'value') throw wrongType(key, method, kindOf(entry));
    return storedValueOf(entry);
  }

  private readSet(key: string, method: string): Set<string> | undefined {
    this.ready(method);
    const entry = this.store.read(this.prefix + checkName(key, 'key'));
    if (entry !== undefined && !(entry instanceof Set)) throw wrongType(key, method, kindOf(entry));
    return entry;
  }

  private writeValue(key: string, value: CacheValue, expiresAt: number | undefined): void {
    this.store.write(
      this.prefix + key,
      expiresAt === undefined ? value : new ExpiringValue(value, expiresAt),
    );
  }

  private addMembers(key: string, members: readonly string[]): number {
    const full = this.prefix + key;
    const entry = this.store.read(full);
    if (entry !== undefined && !(entry instanceof Set)) throw wrongType(key, 'setAdd', kindOf(entry));
    if (members.length === 0) return 0;
    const set = entry ?? new Set<string>();
    const before = set.size;
    for (const member of members) set.add(member);
    if (entry === undefined) this.store.write(full, set);
    return set.size - before;
  }

  private removeMembers(key: string, members: readonly string[]): number {
    const full = this.prefix + key;
    const entry = this.store.read(full);
    if (entry === undefined) return 0;
    if (!(entry instanceof Set)) throw wrongType(key, 'setRemove', kindOf(entry));
    let removed = 0;
    for (const member of members) if (entry.delete(member)) removed += 1;
    if (entry.size === 0) this.store.delete(full);
    return removed;
  }

  /** What the store holds at `key` of this adapter now (for the batch's kind check, key-kinds.ts). */
  private readonly keyKind = (key: string): KeyKind => {
    const entry = this.store.read(this.prefix + key);
    return entry === undefined ? 'none' : kindOf(entry);
  };

  private changeStatus(status: CacheStatus): void {
    this.currentStatus = status;
    for (const listener of [...this.statusListeners]) listener(status);
  }
}

function disposedError(method: string): CacheError {
  return new CacheError(
    'DISPOSED',
    `MemoryCacheManager.${method}() was called after dispose(); create a new adapter.`,
  );
}

function reportListenerError(error: unknown, channel: string): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`A listener on channel "${channel}" threw: ${detail}`, {
    code: 'ARCADE_CACHE_LISTENER',
  });
}
