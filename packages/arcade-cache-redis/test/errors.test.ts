import type { Redis } from 'ioredis';
import { RedisCacheManager } from '../src';
import { type RedisTestServer, startRedisServer } from '../src/testing';
import { rawClient } from './support/helpers';

// How Redis's own refusals map onto the CacheError codes (packages/arcade-cache/src/errors.ts):
// OPERATION_FAILED is "the backing server refused the operation (authentication, permissions, an
// unknown command)"; WRONG_TYPE is only a key of the other kind.

let server: RedisTestServer;
let admin: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  admin = await rawClient(server.url);
  // An ACL user that may do everything but SET: every other call of the adapter works for it.
  await admin.call('ACL', 'SETUSER', 'no-set', 'on', '>secret', '~*', '&*', '+@all', '-set');
});

afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

it('rejects a call Redis refuses for want of permission with OPERATION_FAILED, not WRONG_TYPE', async () => {
  const cache = new RedisCacheManager({
    host: server.host,
    port: server.port,
    username: 'no-set',
    password: 'secret',
    keyPrefix: 'acl:',
  });
  try {
    await cache.init();
    await cache.setAdd('allowed', 'a');
    expect(await cache.setMembers('allowed')).toEqual(['a']);
    await expect(cache.set('k', 'v')).rejects.toEqual(
      expect.objectContaining({
        name: 'CacheError',
        code: 'OPERATION_FAILED',
        message: expect.stringMatching(/NOPERM/),
      }),
    );
    // The refusal is about that call only: the adapter stays ready.
    expect(cache.status).toBe('ready');
  } finally {
    await cache.dispose();
  }
});
