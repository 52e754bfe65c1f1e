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

/** A key found in storage, with what it holds as text (set members, or the value). */
export interface StoredKey {
  readonly key: string;
  readonly kind: 'value' | 'set' | 'log';
  readonly content: readonly string[];
}

function valueText(value: CacheValue | undefined): string {
  if (value === undefined) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A {@link CacheManager} that delegates to another one and remembers every key written through it,
 * so a test can list what is left in storage (the contract has no key listing on purpose).
 */
export class TrackingCache implements CacheManager {
  private readonly written = new Map<string, StoredKey['kind']>();

  constructor(private readonly inner: CacheManager) {}

  get status(): CacheStatus {
    return this.inner.status;
  }

  /** Every key written through this cache that still holds something. */
  async storedKeys(): Promise<StoredKey[]> {
    const stored: StoredKey[] = [];
    for (const [key, kind] of this.written) {
      if (!(await this.inner.contains(key))) continue;
      stored.push({ key, kind, content: await this.contentOf(key, kind) });
    }
    return stored;
  }

  private async contentOf(key: string, kind: StoredKey['kind']): Promise<string[]> {
    if (kind === 'set') return this.inner.setMembers(key);
    if (kind === 'value') return [valueText(await this.inner.get(key))];
    const { entries } = await this.inner.readLog(key, { limit: Number.MAX_SAFE_INTEGER });
    return entries.map((entry) => valueText(entry.message));
  }

  init(options?: unknown): Promise<void> {
    return this.inner.init(options);
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
  onStatusChange(listener: (status: CacheStatus) => void): () => void {
    return this.inner.onStatusChange(listener);
  }
  get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined> {
    return this.inner.get<T>(key);
  }
  set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    this.written.set(key, 'value');
    return this.inner.set(key, value, options);
  }
  setIfAbsent(key: string, value: CacheValue, options?: SetOptions): Promise<boolean> {
    this.written.set(key, 'value');
    return this.inner.setIfAbsent(key, value, options);
  }
  remove(key: string): Promise<boolean> {
    return this.inner.remove(key);
  }
  contains(key: string): Promise<boolean> {
    return this.inner.contains(key);
  }
  clear(): Promise<void> {
    return this.inner.clear();
  }
  setAdd(key: string, ...members: string[]): Promise<number> {
    this.written.set(key, 'set');
    return this.inner.setAdd(key, ...members);
  }
  setRemove(key: string, ...members: string[]): Promise<number> {
    return this.inner.setRemove(key, ...members);
  }
  setMembers(key: string): Promise<string[]> {
    return this.inner.setMembers(key);
  }
  setSize(key: string): Promise<number> {
    return this.inner.setSize(key);
  }
  batch(operations: readonly BatchOperation[]): Promise<void> {
    for (const operation of operations) {
      if (operation.type === 'set') this.written.set(operation.key, 'value');
      if (operation.type === 'setAdd') this.written.set(operation.key, 'set');
    }
    return this.inner.batch(operations);
  }
  appendToLog(key: string, message: PubSubMessage, options: LogAppendOptions): Promise<LogPosition> {
    this.written.set(key, 'log');
    return this.inner.appendToLog(key, message, options);
  }
  readLog(key: string, options: LogReadOptions): Promise<LogRead> {
    return this.inner.readLog(key, options);
  }
  publish(channel: string, message: PubSubMessage): Promise<number> {
    return this.inner.publish(channel, message);
  }
  subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    return this.inner.subscribe(channel, listener);
  }
}

/** The stored keys whose name or content mentions any of `needles`. */
export function keysMentioning(keys: readonly StoredKey[], needles: readonly string[]): StoredKey[] {
  return keys.filter((stored) =>
    needles.some(
      (needle) => stored.key.includes(needle) || stored.content.some((text) => text.includes(needle)),
    ),
  );
}

/** The stored keys whose name and content mention none of `needles`. */
export function keysNotMentioning(keys: readonly StoredKey[], needles: readonly string[]): StoredKey[] {
  const mentioned = new Set(keysMentioning(keys, needles));
  return keys.filter((stored) => !mentioned.has(stored));
}
