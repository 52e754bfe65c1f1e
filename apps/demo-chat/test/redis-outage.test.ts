import type { CacheStatus } from '@arcade/cache';
import { RedisCacheManager } from '@arcade/cache-redis';
import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { httpRequest, RecordingLogger } from '@arcade/test-support';
import { type ChatServer, createChatServer } from '../src';
import { ChatClient } from './support/chat-client';

let redis: RedisTestServer;
let cache: RedisCacheManager;
let server: ChatServer;
const clients: ChatClient[] = [];

/** Resolves when the cache reaches `wanted` (now or later). */
function cacheStatus(wanted: (status: CacheStatus) => boolean): Promise<CacheStatus> {
  if (wanted(cache.status)) return Promise.resolve(cache.status);
  return new Promise((resolve) => {
    const stop = cache.onStatusChange((status) => {
      if (!wanted(status)) return;
      stop();
      resolve(status);
    });
  });
}

beforeAll(async () => {
  redis = await startRedisServer();
  cache = new RedisCacheManager({ url: redis.url });
  server = await createChatServer({ port: 0, host: '127.0.0.1', cache, logger: new RecordingLogger() });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.close();
  await cache?.dispose();
  await redis?.stop();
});

it('reports Redis trouble on /healthz and to a sender, and chats again once Redis is back', async () => {
  const alice = await ChatClient.connect(server.url);
  clients.push(alice);
  await alice.join('Alice', 'outage-room');
  expect((await httpRequest(`${server.url}/healthz`)).status).toBe(200);

  await redis.kill();
  const down = await cacheStatus((status) => status !== 'ready');
  const health = await httpRequest(`${server.url}/healthz`);
  expect(health.status).toBe(503);
  expect(health.json()).toMatchObject({ status: 'degraded', storage: down });

  alice.send({ type: 'message', text: 'anyone there?' });
  const error = await alice.nextError();
  expect(error).toMatchObject({ code: 'unavailable', requestType: 'message' });
  expect(error.message).toContain('try again');

  await redis.restart();
  await cacheStatus((status) => status === 'ready');
  expect((await httpRequest(`${server.url}/healthz`)).status).toBe(200);
  // The restarted Redis is empty; the instance rewrites its records and the room works again.
  await alice.say('back in business');
});
