import { runCacheConformanceSuite } from '@arcade/cache/testing';
import { RedisCacheManager } from '../src';
import { type RedisTestServer, startRedisServer } from '../src/testing';

let server: RedisTestServer;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server?.stop();
});

runCacheConformanceSuite(
  { describe, it },
  {
    name: 'RedisCacheManager',
    create: ({ namespace }) =>
      new RedisCacheManager({
        url: server.url,
        keyPrefix: `test:${namespace}:`,
        // The suite throws from a listener on purpose; test/redis-cache-manager.test.ts checks the report.
        logger: { warn: () => {} },
      }),
    // Restarts redis-server (it comes back empty): subscriptions must come back by themselves.
    restart: () => server.restart(),
  },
);
