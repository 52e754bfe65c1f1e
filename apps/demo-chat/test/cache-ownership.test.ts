import { MemoryCacheManager } from '@arcade/cache-memory';
import { silentLogger } from '@arcade/core';
import { createChatServer } from '../src';

// ChatServerOptions.cache: the server initialises the cache it is given but does not dispose it.
describe('a cache given to the chat server', () => {
  it('stays open after server.close(), with the data of its other users', async () => {
    const cache = new MemoryCacheManager();
    await cache.init();
    await cache.set('other-app:data', 'still here');
    const server = await createChatServer({ port: 0, host: '127.0.0.1', cache, logger: silentLogger });
    await server.close();
    expect(cache.status).toBe('ready');
    expect(await cache.get('other-app:data')).toBe('still here');
    await cache.dispose();
  });
});

describe('the cache the chat server creates', () => {
  it('is refused when both redisUrl and redisClusterNodes are given', async () => {
    await expect(
      createChatServer({
        port: 0,
        host: '127.0.0.1',
        redisUrl: 'redis://127.0.0.1:6379',
        redisClusterNodes: ['redis://127.0.0.1:7000'],
        logger: silentLogger,
      }),
    ).rejects.toThrow('redisUrl (one Redis server) or redisClusterNodes, not both');
  });
});
