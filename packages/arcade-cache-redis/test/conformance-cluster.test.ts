import { runCacheConformanceSuite } from '@arcade/cache/testing';
import { RedisCacheManager } from '../src';
import { type RedisTestCluster, startRedisCluster } from '../src/testing';

// The whole contract on a real Redis Cluster (3 masters, 1 replica each): sharded pub/sub, keys spread
// over the shards, and atomic steps confined to one slot.
jest.setTimeout(30_000);

let cluster: RedisTestCluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

runCacheConformanceSuite(
  { describe, it },
  {
    name: 'RedisCacheManager on a Redis Cluster',
    create: ({ namespace }) =>
      new RedisCacheManager({
        cluster: cluster.urls,
        keyPrefix: `test:${namespace}:`,
        logger: { warn: () => {} },
      }),
  },
);
