import type { CacheManager } from '@arcade/cache';
import { createMemoryStore, MemoryCacheManager, type MemoryStore } from '@arcade/cache-memory';
import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { type App, createApp, silentLogger } from '@arcade/core';
import { nanoid } from 'nanoid';
import { WebSocketManager, type WebSocketStorageOptions } from '../../src/index';
import type { LocalConnection } from '../../src/transport/local-connection';
import type { PreparedFrame } from '../../src/transport/prepared-frame';

/** A message as a client would read it: text frames as strings, binary frames as bytes. */
export type Received = string | Uint8Array;

/** Reads the payload of a server frame (FIN set, unmasked) the way a client would. */
export function readFrame(bytes: Buffer): Received {
  const opcode = (bytes[0] ?? 0) & 0x0f;
  const length7 = (bytes[1] ?? 0) & 0x7f;
  const offset = length7 < 126 ? 2 : length7 === 126 ? 4 : 10;
  const payload = bytes.subarray(offset);
  return opcode === 1 ? payload.toString('utf8') : new Uint8Array(payload);
}

/**
 * A LocalConnection standing in for a socket: it records the frames the registry queues on it, so
 * tests check exactly what a client would receive. Transport tests cover real sockets.
 */
export class RecordingConnection implements LocalConnection {
  readonly received: Received[] = [];
  readonly frames: PreparedFrame[] = [];
  closedWith: { code?: number; reason?: string } | undefined;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(
    readonly id: string = nanoid(),
    private readonly onClose?: (connection: RecordingConnection) => void,
  ) {}

  get isOpen(): boolean {
    return this.closedWith === undefined;
  }

  send(frame: PreparedFrame): boolean {
    if (!this.isOpen) return false;
    this.frames.push(frame);
    this.received.push(readFrame(frame.bytes));
    this.waiters = this.waiters.filter((waiter) => {
      if (this.received.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
    return true;
  }

  close(code?: number, reason?: string): void {
    if (!this.isOpen) return;
    this.closedWith = { code, reason };
    this.onClose?.(this);
  }

  /** Resolves once `count` messages in total have arrived. */
  async waitForCount(count: number): Promise<Received[]> {
    if (this.received.length < count) {
      await new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
    }
    return this.received;
  }

  /** Resolves with the next message (after the ones already received). */
  async next(): Promise<Received> {
    const index = this.received.length;
    await this.waitForCount(index + 1);
    return this.received[index] as Received;
  }
}

/** One app (an "instance") with its manager, its cache and helpers to connect fake sockets. */
export interface TestInstance {
  readonly app: App;
  readonly manager: WebSocketManager;
  readonly cache: CacheManager;
  connect(id?: string): Promise<RecordingConnection>;
  /** Closes a connection the way transport does: removeConnection then forgetConnection. */
  close(connection: RecordingConnection): Promise<void>;
}

/** Several instances sharing one in-process store (like several processes on one Redis). */
export class TestCluster {
  readonly store: MemoryStore;
  readonly instances: TestInstance[] = [];

  constructor(store: MemoryStore = createMemoryStore()) {
    this.store = store;
  }

  async start(options: WebSocketStorageOptions = {}, cache?: CacheManager): Promise<TestInstance> {
    const app = createApp({ logger: silentLogger });
    const storage = cache ?? new MemoryCacheManager({ store: this.store });
    await app.initializeWebSocketStorage(storage, options);
    return this.track(app, storage);
  }

  /** An instance that never chose a storage: the private in-memory store (its `cache` is unused). */
  startPrivate(): TestInstance {
    return this.track(createApp({ logger: silentLogger }), new MemoryCacheManager());
  }

  private track(app: App, cache: CacheManager): TestInstance {
    const manager = WebSocketManager.of(app);
    const instance: TestInstance = {
      app,
      manager,
      cache,
      connect: async (id) => {
        const connection = new RecordingConnection(id);
        await manager.addConnection(connection, { userAgent: 'jest', remoteAddress: '127.0.0.1' });
        return connection;
      },
      close: async (connection) => {
        connection.close(1000);
        await manager.removeConnection(connection.id);
        manager.forgetConnection(connection.id);
      },
    };
    this.instances.push(instance);
    return instance;
  }

  /** Live keys of the shared store (expired ones dropped). */
  keys(): string[] {
    return [...this.store.entries.keys()].filter((key) => this.store.read(key) !== undefined).sort();
  }

  /** Channels that have at least one subscriber. */
  subscribedChannels(): string[] {
    return [...this.store.channels]
      .filter(([, subscribers]) => subscribers.size > 0)
      .map(([channel]) => channel);
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.manager.shutdown()));
  }
}

/** One redis-server for the test file: started before its first test, stopped after its last. */
export function useRedisServer(): { readonly server: RedisTestServer; readonly url: string } {
  let server: RedisTestServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());
  return {
    get server(): RedisTestServer {
      if (!server) throw new Error('the Redis server starts in beforeAll');
      return server;
    },
    get url(): string {
      return this.server.url;
    },
  };
}
