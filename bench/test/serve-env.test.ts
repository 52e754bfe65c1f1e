import { hostAndPort, redisClusterNodes } from '../src/targets/serve';

describe('the Redis settings a target reads from its environment', () => {
  const saved = process.env.REDIS_CLUSTER_NODES;
  afterEach(() => {
    if (saved === undefined) delete process.env.REDIS_CLUSTER_NODES;
    else process.env.REDIS_CLUSTER_NODES = saved;
  });

  it('reads the cluster seed nodes as a comma-separated list, or none when unset or empty', () => {
    process.env.REDIS_CLUSTER_NODES = 'redis://127.0.0.1:7000,redis://127.0.0.1:7001,';
    expect(redisClusterNodes()).toEqual(['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001']);
    process.env.REDIS_CLUSTER_NODES = '';
    expect(redisClusterNodes()).toBeUndefined();
    delete process.env.REDIS_CLUSTER_NODES;
    expect(redisClusterNodes()).toBeUndefined();
  });

  it("turns a seed URL into ioredis's host and port", () => {
    expect(hostAndPort('redis://127.0.0.1:7002')).toEqual({ host: '127.0.0.1', port: 7002 });
  });
});
