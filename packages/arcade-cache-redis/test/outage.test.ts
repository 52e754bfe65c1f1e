import { CacheError, type CacheStatus, type PubSubMessage } from '@arcade/cache';
import type { Redis } from 'ioredis';
import { RedisCacheManager, type RedisCacheManagerOptions } from '../src';
import { type RedisTestServer, startRedisServer } from '../src/testing';
import { collector, rawClient, statusReached } from './support/helpers';

const quiet = { warn: () => {} };

describe('RedisCacheManager when Redis goes away', () => {
  let server: RedisTestServer;
  const opened: RedisCacheManager[] = [];

  async function open(options: RedisCacheManagerOptions = {}): Promise<RedisCacheManager> {
    const cache = new RedisCacheManager({
      url: server.url,
      keyPrefix: 'outage:',
      maxReconnectDelayMs: 100,
      logger: quiet,
      ...options,
    });
    opened.push(cache);
    await cache.init();
    return cache;
  }

  beforeEach(async () => {
    server = await startRedisServer();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((cache) => cache.dispose()));
    await server.stop();
  });

  it('restores subscriptions after a restart, and pub/sub works again', async () => {
    const listener = await open();
    const publisher = await open();
    const got = collector<PubSubMessage>();
    await listener.subscribe('room', got.push);
    await listener.subscribe('other-room', () => {});
    expect(await publisher.publish('room', 'before')).toBe(1);
    await got.reached(1);

    const lost = Promise.all([
      statusReached(listener, 'reconnecting'),
      statusReached(publisher, 'reconnecting'),
    ]);
    await server.restart();
    await lost;
    await Promise.all([statusReached(listener, 'ready'), statusReached(publisher, 'ready')]);

    expect(await publisher.publish('room', 'after')).toBe(1);
    expect(await publisher.publish('other-room', Buffer.from([1]))).toBe(1);
    await got.reached(2);
    expect(got.items).toEqual(['before', 'after']);
  });

  it('fails fast with UNAVAILABLE while Redis is down and recovers by itself', async () => {
    const cache = await open();
    const got = collector<PubSubMessage>();
    await cache.subscribe('room', got.push);
    const statuses: CacheStatus[] = [];
    cache.onStatusChange((status) => statuses.push(status));

    await server.kill();
    await statusReached(cache, 'unavailable');
    const unavailable = expect.objectContaining({ code: 'UNAVAILABLE' });
    await expect(cache.get('k')).rejects.toEqual(unavailable);
    await expect(cache.set('k', 'v')).rejects.toEqual(unavailable);
    await expect(cache.batch([{ type: 'setAdd', key: 's', members: ['a'] }])).rejects.toEqual(unavailable);
    await expect(cache.publish('room', 'lost')).rejects.toEqual(unavailable);
    await expect(cache.subscribe('late', () => {})).rejects.toEqual(unavailable);
    await expect(cache.get('k')).rejects.toBeInstanceOf(CacheError);

    await server.restart();
    await statusReached(cache, 'ready');
    // While the subscriber restores its channels the status may pass through `reconnecting` again,
    // depending on which connection comes back first; the path's ends and its states are fixed.
    expect(statuses[0]).toBe('reconnecting');
    expect(statuses).toContain('unavailable');
    expect(statuses.at(-1)).toBe('ready');
    expect(new Set(statuses)).toEqual(new Set(['reconnecting', 'unavailable', 'ready']));
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    // The restarted server has no Lua script cached: batch() sends the script again.
    await cache.batch([{ type: 'setAdd', key: 's', members: ['a'] }]);
    expect(await cache.setMembers('s')).toEqual(['a']);
    expect(await cache.publish('room', 'back')).toBe(1);
    await got.reached(1);
    expect(got.items).toEqual(['back']);
  });

  it('rejects a call Redis does not answer within commandTimeoutMs with UNAVAILABLE', async () => {
    const cache = await open({ commandTimeoutMs: 100 });
    const admin: Redis = await rawClient(server.url);
    try {
      // Writes wait while clients are paused; the admin connection can still unpause.
      await admin.call('CLIENT', 'PAUSE', '20000', 'WRITE');
      await expect(cache.set('k', 'v')).rejects.toEqual(expect.objectContaining({ code: 'UNAVAILABLE' }));
      await admin.call('CLIENT', 'UNPAUSE');
      await cache.set('k', 'after');
      expect(await cache.get('k')).toBe('after');
    } finally {
      admin.disconnect();
    }
  });

  it('dispose during a pending init rejects that init with DISPOSED', async () => {
    const { port } = server;
    await server.kill();
    const cache = new RedisCacheManager({ host: '127.0.0.1', port, connectTimeoutMs: 60_000, logger: quiet });
    const pending = cache.init();
    expect(cache.status).toBe('connecting');
    await cache.dispose();
    await expect(pending).rejects.toEqual(expect.objectContaining({ code: 'DISPOSED' }));
    expect(cache.status).toBe('disposed');
  });

  it('init rejects with UNAVAILABLE when nothing listens, and can be called again', async () => {
    const { port } = server;
    await server.kill();
    const cache = new RedisCacheManager({
      host: '127.0.0.1',
      port,
      connectTimeoutMs: 200,
      maxReconnectDelayMs: 50,
      logger: quiet,
    });
    opened.push(cache);
    await expect(cache.init()).rejects.toEqual(
      expect.objectContaining({ code: 'UNAVAILABLE', message: expect.stringContaining(`127.0.0.1:${port}`) }),
    );
    expect(cache.status).toBe('idle');
    await server.restart();
    await cache.init();
    expect(cache.status).toBe('ready');
  });
});
