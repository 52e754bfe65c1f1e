export { CLUSTER_SLOT_COUNT, type ClusterNodeInfo, keySlot } from './cluster-slots';
export { findRedisServer, RedisServerNotFoundError } from './find-redis-server';
export {
  type RedisClusterFailover,
  type RedisClusterNodeAddress,
  type RedisTestCluster,
  type StartRedisClusterOptions,
  startRedisCluster,
} from './redis-cluster';
export { type RedisTestServer, type StartRedisServerOptions, startRedisServer } from './redis-test-server';
