export { findRedisServer, RedisServerNotFoundError } from './find-redis-server';
export { type RedisTestServer, type StartRedisServerOptions, startRedisServer } from './redis-test-server';
