import { runCacheConformanceSuite } from '@arcade/cache/testing';
import { Redis } from 'ioredis';
import { RedisCacheManager } from '../src';
import { type RedisTestServer, startRedisServer } from '../src/testing';

// A client passed in (`client`) is the user's: it keeps ioredis's own defaults (an offline queue, no
// command timeout, its own retry strategy), and it is the user who closes it. The adapter must still
// hold its whole contract on it, and leave nothing of itself behind on it.

let server: RedisTestServer;
const quiet = { warn: () => {} };

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

/** A client as a user builds one: ioredis's defaults, not connected yet. */
function userClient(): Redis {
  return new Redis(server.url, { lazyConnect: true });
}

// Every call, timer and socket of the contract, on a client passed in (closed by dispose()).
runCacheConformanceSuite(
  { describe, it },
  {
    name: 'RedisCacheManager on a client passed in',
    create: ({ namespace }) =>
      new RedisCacheManager({
        client: userClient(),
        closeClient: true,
        keyPrefix: `client:${namespace}:`,
        logger: quiet,
      }),
  },
);

describe('a client passed in', () => {
  it('fails a call and a subscribe() Redis does not answer within commandTimeoutMs with UNAVAILABLE', async () => {
    const cache = new RedisCacheManager({ client: userClient(), closeClient: true, commandTimeoutMs: 200 });
    try {
      await cache.init();
      await cache.set('k', 'v');
      expect(await cache.get('k')).toBe('v');
      await server.pause();
      try {
        const unavailable = expect.objectContaining({ code: 'UNAVAILABLE' });
        await expect(cache.get('k')).rejects.toEqual(unavailable);
        await expect(cache.subscribe('c', () => {})).rejects.toEqual(unavailable);
      } finally {
        await server.resume();
      }
    } finally {
      await cache.dispose();
    }
  });

  // batch() writes its script to the socket itself (src/scripts.ts, runScriptNow), not through
  // ioredis's command methods: it must still apply the client's own keyPrefix as they do.
  it('reads back what batch() wrote on a client with an ioredis keyPrefix', async () => {
    const client = new Redis(server.url, { lazyConnect: true, keyPrefix: 'outer:' });
    const cache = new RedisCacheManager({ client, closeClient: true, keyPrefix: 'inner:', logger: quiet });
    try {
      await cache.init();
      await cache.batch([
        { type: 'set', key: 'k', value: { n: 1 } },
        { type: 'setAdd', key: 's', members: ['m'] },
      ]);
      expect(await cache.get('k')).toEqual({ n: 1 });
      expect(await cache.setMembers('s')).toEqual(['m']);
    } finally {
      await cache.dispose();
    }
  });

  it('has every listener the adapter put on it taken off again by dispose()', async () => {
    const client = userClient();
    const events = ['ready', 'close', 'end', 'reconnecting', 'error'] as const;
    const listeners = () => events.map((event) => [event, client.listenerCount(event)]);
    const before = listeners();
    const cache = new RedisCacheManager({ client, logger: quiet });
    try {
      await cache.init();
      await cache.dispose();
      expect(listeners()).toEqual(before);
    } finally {
      client.disconnect();
    }
  });

  it('when its owner closes it: status unavailable (it will not reconnect), and dispose() still resolves', async () => {
    const client = userClient();
    const cache = new RedisCacheManager({ client, closeClient: true, logger: quiet });
    try {
      await cache.init();
      const ended = new Promise((resolve) => client.once('end', resolve));
      await client.quit();
      await ended;
      expect(cache.status).toBe('unavailable');
      await expect(cache.get('k')).rejects.toEqual(expect.objectContaining({ code: 'UNAVAILABLE' }));
    } finally {
      await cache.dispose();
    }
    expect(cache.status).toBe('disposed');
  });
});
