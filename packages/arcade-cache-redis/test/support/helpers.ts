import type { CacheStatus } from '@arcade/cache';
import { Redis } from 'ioredis';
import type { RedisCacheManager } from '../../src';

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
