import { performance } from 'node:perf_hooks';
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
import { STORAGE_REFUSALS, type StorageRefusal } from '../registry/storage-guard';
import type { StorageMetrics, StorageOperation } from './storage-metrics';

/** The statuses of an outage: the adapter lost its server and calls fail until it is back. */
const OUTAGE_STATUSES: ReadonlySet<CacheStatus> = new Set(['connecting', 'reconnecting', 'unavailable']);

/**
 * The cache an app gave `initializeWebSocketStorage`, as the registry uses it: every call forwarded
 * as is, and measured while {@link InstrumentedCache.attach}ed to a server run's metrics. It always
 * stands between the registry and the cache (a storage is usually chosen before `runServer` turns
 * metrics on), so with metrics off a call costs one `undefined` check and the call, no closure, no
 * promise of its own. It also knows whether the storage is reachable, which the readiness check reads.
 */
export class InstrumentedCache implements CacheManager {
  #metrics: StorageMetrics | undefined;
  #stopWatching: (() => void) | undefined;
  #inOutage = false;
  /** An outage is counted only after the storage was ready once (a first connection is none). */
  #wasReady = false;
  /** Subscriptions live through this wrapper: what the adapter restores after an outage. */
  #subscriptions = 0;

  constructor(readonly inner: CacheManager) {}

  /** Measures every call from now on, and counts outages, until {@link InstrumentedCache.detach}. */
  attach(metrics: StorageMetrics): void {
    this.detach();
    this.#metrics = metrics;
    this.#inOutage = false;
    this.#wasReady = this.inner.status === 'ready';
    this.#stopWatching = this.inner.onStatusChange((status) => this.#onStatus(status));
  }

  /** Stops measuring (the server run ended). */
  detach(): void {
    this.#stopWatching?.();
    this.#stopWatching = undefined;
    this.#metrics = undefined;
  }

  /** The guard's refusals, counted while attached (src/registry/storage-guard.ts). */
  readonly [STORAGE_REFUSALS] = (reason: StorageRefusal): void => this.#metrics?.refused(reason);

  get status(): CacheStatus {
    return this.inner.status;
  }

  get shardOf(): ((name: string) => number) | undefined {
    return this.inner.shardOf;
  }

  onStatusChange(listener: (status: CacheStatus) => void): () => void {
    return this.inner.onStatusChange(listener);
  }

  init(options?: unknown): Promise<void> {
    const started = this.#start();
    return this.#measure('init', started, this.inner.init(options));
  }

  dispose(): Promise<void> {
    const started = this.#start();
    return this.#measure('dispose', started, this.inner.dispose());
  }

  get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined> {
    const started = this.#start();
    return this.#measure('get', started, this.inner.get<T>(key));
  }

  set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    const started = this.#start();
    return this.#measure('set', started, this.inner.set(key, value, options));
  }

  setIfAbsent(key: string, value: CacheValue, options?: SetOptions): Promise<boolean> {
    const started = this.#start();
    return this.#measure('setIfAbsent', started, this.inner.setIfAbsent(key, value, options));
  }

  remove(key: string): Promise<boolean> {
    const started = this.#start();
    return this.#measure('remove', started, this.inner.remove(key));
  }

  contains(key: string): Promise<boolean> {
    const started = this.#start();
    return this.#measure('contains', started, this.inner.contains(key));
  }

  clear(): Promise<void> {
    const started = this.#start();
    return this.#measure('clear', started, this.inner.clear());
  }

  setAdd(key: string, ...members: string[]): Promise<number> {
    const started = this.#start();
    return this.#measure('setAdd', started, this.inner.setAdd(key, ...members));
  }

  setRemove(key: string, ...members: string[]): Promise<number> {
    const started = this.#start();
    return this.#measure('setRemove', started, this.inner.setRemove(key, ...members));
  }

  setMembers(key: string): Promise<string[]> {
    const started = this.#start();
    return this.#measure('setMembers', started, this.inner.setMembers(key));
  }

  setSize(key: string): Promise<number> {
    const started = this.#start();
    return this.#measure('setSize', started, this.inner.setSize(key));
  }

  batch(operations: readonly BatchOperation[]): Promise<void> {
    const started = this.#start();
    return this.#measure('batch', started, this.inner.batch(operations));
  }

  appendToLog(key: string, message: PubSubMessage, options: LogAppendOptions): Promise<LogPosition> {
    const started = this.#start();
    if (started >= 0 && options?.channel !== undefined) this.#published();
    return this.#measure('appendToLog', started, this.inner.appendToLog(key, message, options));
  }

  readLog(key: string, options: LogReadOptions): Promise<LogRead> {
    const started = this.#start();
    return this.#measure('readLog', started, this.inner.readLog(key, options));
  }

  publish(channel: string, message: PubSubMessage): Promise<number> {
    const started = this.#start();
    if (started >= 0) this.#published();
    return this.#measure('publish', started, this.inner.publish(channel, message));
  }

  async subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    // One listener per subscription (not per message), which counts what arrives while attached.
    const counted: MessageListener = (message, from, position) => {
      const metrics = this.#metrics;
      if (metrics !== undefined) metrics.pubSubReceived += 1;
      listener(message, from, position);
    };
    const started = this.#start();
    const unsubscribe = await this.#measure('subscribe', started, this.inner.subscribe(channel, counted));
    this.#subscriptions += 1;
    let live = true;
    return () => {
      if (live) {
        live = false;
        this.#subscriptions -= 1;
      }
      return unsubscribe();
    };
  }

  /** When a measured call starts; -1 when nothing is measured. */
  #start(): number {
    return this.#metrics === undefined ? -1 : performance.now();
  }

  #published(): void {
    const metrics = this.#metrics;
    if (metrics !== undefined) metrics.pubSubPublished += 1;
  }

  /** `pending` itself, observed on the side when measured: the caller sees the adapter's own promise. */
  #measure<T>(operation: StorageOperation, started: number, pending: Promise<T>): Promise<T> {
    const metrics = this.#metrics;
    if (metrics === undefined || started < 0) return pending;
    const seconds = () => (performance.now() - started) / 1000;
    pending.then(
      () => metrics.called(operation, seconds()),
      (error: unknown) => metrics.called(operation, seconds(), error),
    );
    return pending;
  }

  #onStatus(status: CacheStatus): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    if (OUTAGE_STATUSES.has(status)) {
      if (this.#wasReady && !this.#inOutage) {
        this.#inOutage = true;
        metrics.outageStarted();
      }
    } else if (status === 'ready') {
      this.#wasReady = true;
      if (!this.#inOutage) return;
      this.#inOutage = false;
      // A network adapter reports ready again only once it restored its subscriptions (the contract).
      metrics.outageEnded(this.#subscriptions);
    }
  }
}
