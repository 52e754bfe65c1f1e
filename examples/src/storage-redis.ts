// Guide: "Redis-backed Storage (Recommended for Production)", and "cache-backed storage for connection
// persistence": rooms and connections in Redis, shared by every instance started this way.
// Run: REDIS_URL=redis://127.0.0.1:6379 node examples/dist/storage-redis.js   (start two with
//      PORT=3000 and PORT=3001: a message sent on one reaches the room's members on the other)
import { RedisCacheManager } from '@arcade/cache-redis';
import type { ArcadeServer } from '@arcade/core';
import { initializeWebSocketStorage, runServer } from '@arcade/ws';
import { defineRoomRelay } from './room-relay';
import { type ExampleOptions, runFromCommandLine } from './run-example';

export interface RedisExampleOptions extends ExampleOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. @default REDIS_URL, else redis://127.0.0.1:6379 */
  redisUrl?: string;
}

export async function start(options: RedisExampleOptions): Promise<ArcadeServer> {
  const { redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', ...serverOptions } = options;
  // Also accepted: { host, port, secure, username, password, db, keyPrefix }.
  const redisCache = new RedisCacheManager({ url: redisUrl });
  try {
    await redisCache.init();
  } catch (error) {
    await redisCache.dispose(); // stop reconnecting: this process will not serve
    throw error;
  }
  // The WebSocket layer now owns the cache: server.close() removes this instance's keys, then
  // disposes it.
  await initializeWebSocketStorage(redisCache);
  return runServer({ ...serverOptions, init: defineRoomRelay });
}

if (require.main === module) runFromCommandLine(start);
