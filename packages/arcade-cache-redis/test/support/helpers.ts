import type { CacheStatus } from '@arcade/cache';
import { Redis } from 'ioredis';
import { RedisCacheManager, type RedisCacheManagerOptions } from '../../src';
import { type RedisTestServer, startRedisServer } from '../../src/testing';

/** Resolves once `cache` reports `status` (at once when it already has it). */
export function statusReached(cache: RedisCacheManager, status: CacheStatus): Promise<void> {
  if (cache.status === status) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = cache.onStatusChange((next) => {
      if (next !== status) return;
      stop();
      resolve();
    });
  });
}

/** Resolves once `list` holds `count` items, checking after every push through `onPush`. */
export function collector<T>(): {
  items: T[];
  push: (item: T) => void;
  reached: (count: number) => Promise<void>;
} {
  const items: T[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    items,
    push(item) {
      items.push(item);
      for (const waiter of [...waiters]) {
        if (items.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    reached(count) {
      if (items.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

/** A plain ioredis client for looking at the server from outside the adapter. */
export async function rawClient(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await client.connect();
  return client;
}

/** How many clients the server has connected right now, `observer` included. */
export async function connectedClients(observer: Redis): Promise<number> {
  const info = await observer.info('clients');
  return Number(/^connected_clients:(\d+)/m.exec(info)?.[1]);
}

/**
 * One redis-server for a test file, with a raw `observer` client and the adapters a test opens: after
 * each test they are disposed and the data flushed; after the file, both closed. Register it at the top
 * level of the file.
 */
export function useRedisServer() {
  let server: RedisTestServer | undefined;
  let observer: Redis | undefined;
  const opened: RedisCacheManager[] = [];
  const fixture = {
    get server(): RedisTestServer {
      if (!server) throw new Error('the Redis server starts in beforeAll');
      return server;
    },
    get observer(): Redis {
      if (!observer) throw new Error('the observer connects in beforeAll');
      return observer;
    },
    /** Disposes `cache` after the test. */
    track<T extends RedisCacheManager>(cache: T): T {
      opened.push(cache);
      return cache;
    },
    /** An adapter on this server (prefix `app:`), not initialized, disposed after the test. */
    create(options: RedisCacheManagerOptions = {}): RedisCacheManager {
      return fixture.track(new RedisCacheManager({ url: fixture.server.url, keyPrefix: 'app:', ...options }));
    },
    /** {@link create}, initialized. */
    async open(options: RedisCacheManagerOptions = {}): Promise<RedisCacheManager> {
      const cache = fixture.create(options);
      await cache.init();
      return cache;
    },
    /** Disposes what the test opened (for a describe block that stops its own server after each test). */
    async disposeOpened(): Promise<void> {
      await Promise.all(opened.splice(0).map((cache) => cache.dispose()));
    },
  };
  beforeAll(async () => {
    server = await startRedisServer();
    observer = await rawClient(server.url);
  });
  afterEach(async () => {
    await fixture.disposeOpened();
    await observer?.flushall();
  });
  afterAll(async () => {
    observer?.disconnect();
    await server?.stop();
  });
  return fixture;
}
