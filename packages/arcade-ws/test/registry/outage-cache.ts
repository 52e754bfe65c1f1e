import {
  type BatchOperation,
  CacheError,
  type CacheManager,
  type CacheStatus,
  type CacheValue,
  type LogAppendOptions,
  type LogPosition,
  type LogRead,
  type LogReadOptions,
  type MessageListener,
  type PubSubMessage,
  type SetOptions,
  type Unsubscribe,
} from '@arcade/cache';

/**
 * A CacheManager that forwards to a real one and can lose its connection on demand, the way a
 * network adapter does: while `down`, status is `reconnecting`, every call rejects with
 * `CacheError('UNAVAILABLE')` (or never answers, with `hang`), and messages published by others are
 * lost; `up()` reports `ready` again. Subscriptions survive, as the contract requires.
 */
export class OutageCache implements CacheManager {
  private state: 'up' | 'down' | 'hang' = 'up';
  private readonly listeners = new Set<(status: CacheStatus) => void>();
  private readonly hanging = new Set<() => void>();

  constructor(private readonly inner: CacheManager) {}

  get status(): CacheStatus {
    return this.state === 'up' ? this.inner.status : 'reconnecting';
  }

  /** Loses the connection: calls fail at once (`fail`) or never answer (`hang`). */
  down(mode: 'fail' | 'hang' = 'fail'): void {
    this.state = mode === 'fail' ? 'down' : 'hang';
    for (const listener of this.listeners) listener('reconnecting');
  }

  /** The connection is back. */
  up(): void {
    this.state = 'up';
    for (const release of this.hanging) release();
    this.hanging.clear();
    for (const listener of this.listeners) listener('ready');
  }

  onStatusChange(listener: (status: CacheStatus) => void): () => void {
    this.listeners.add(listener);
    const off = this.inner.onStatusChange(listener);
    return () => {
      this.listeners.delete(listener);
      off();
    };
  }

  init(options?: unknown): Promise<void> {
    return this.inner.init(options);
  }

  dispose(): Promise<void> {
    this.up();
    return this.inner.dispose();
  }

  get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined> {
    return this.guard(() => this.inner.get<T>(key));
  }
  set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    return this.guard(() => this.inner.set(key, value, options));
  }
  setIfAbsent(key: string, value: CacheValue, options?: SetOptions): Promise<boolean> {
    return this.guard(() => this.inner.setIfAbsent(key, value, options));
  }
  remove(key: string): Promise<boolean> {
    return this.guard(() => this.inner.remove(key));
  }
  contains(key: string): Promise<boolean> {
    return this.guard(() => this.inner.contains(key));
  }
  clear(): Promise<void> {
    return this.guard(() => this.inner.clear());
  }
  setAdd(key: string, ...members: string[]): Promise<number> {
    return this.guard(() => this.inner.setAdd(key, ...members));
  }
  setRemove(key: string, ...members: string[]): Promise<number> {
    return this.guard(() => this.inner.setRemove(key, ...members));
  }
  setMembers(key: string): Promise<string[]> {
    return this.guard(() => this.inner.setMembers(key));
  }
  setSize(key: string): Promise<number> {
    return this.guard(() => this.inner.setSize(key));
  }
  batch(operations: readonly BatchOperation[]): Promise<void> {
    return this.guard(() => this.inner.batch(operations));
  }
  appendToLog(key: string, message: PubSubMessage, options: LogAppendOptions): Promise<LogPosition> {
    return this.guard(() => this.inner.appendToLog(key, message, options));
  }
  readLog(key: string, options: LogReadOptions): Promise<LogRead> {
    return this.guard(() => this.inner.readLog(key, options));
  }
  publish(channel: string, message: PubSubMessage): Promise<number> {
    return this.guard(() => this.inner.publish(channel, message));
  }
  subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    return this.guard(() =>
      this.inner.subscribe(channel, (message, from, position) => {
        if (this.state === 'up') listener(message, from, position);
      }),
    );
  }

  private guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.state === 'down') return Promise.reject(new CacheError('UNAVAILABLE', 'connection lost (test)'));
    if (this.state === 'hang') {
      // Answers nothing until the connection is back, then fails like a dropped command.
      return new Promise<T>((_, reject) =>
        this.hanging.add(() => reject(new CacheError('UNAVAILABLE', 'connection lost (test)'))),
      );
    }
    return call();
  }
}
