import type { CacheStatus } from '@arcade/cache';
import { RedisCacheManager } from '@arcade/cache-redis';
import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { httpRequest, RecordingLogger, waitFor } from '@arcade/test-support';
import { type ChatServer, createChatServer } from '../src';
import { ChatClient, refusalOf } from './support/chat-client';

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

it('reports Redis trouble on /healthz, /readyz and to a sender, stays live, and chats again once Redis is back', async () => {
  const alice = await ChatClient.connect(server.url, 'Alice');
  clients.push(alice);
  await alice.join('outage-room');
  expect((await httpRequest(`${server.url}/healthz`)).status).toBe(200);
  expect((await httpRequest(`${server.url}/readyz`)).status).toBe(200);

  await redis.kill();
  const down = await cacheStatus((status) => status !== 'ready');
  const health = await httpRequest(`${server.url}/healthz`);
  expect(health.status).toBe(503);
  expect(health.json()).toMatchObject({ status: 'degraded', storage: down });
  // Not ready: the load balancer sends new users elsewhere. Still live: a restart would not help.
  await waitFor(async () => (await httpRequest(`${server.url}/readyz`)).status === 503, {
    description: '/readyz answering 503 while Redis is down',
  });
  const readiness = await httpRequest(`${server.url}/readyz`);
  expect(readiness.json()).toMatchObject({
    ready: false,
    draining: false,
    checks: { webSocketStorage: { ready: false } },
  });
  expect((await httpRequest(`${server.url}/livez`)).status).toBe(200);

  const refusal = await refusalOf(alice.client.request('say', { text: 'anyone there?' }));
  expect(refusal.code).toBe('UNAVAILABLE');
  expect(refusal.message).toContain('try again');

  await redis.restart();
  await cacheStatus((status) => status === 'ready');
  expect((await httpRequest(`${server.url}/healthz`)).status).toBe(200);
  await waitFor(async () => (await httpRequest(`${server.url}/readyz`)).status === 200, {
    description: '/readyz answering 200 once Redis is back',
  });
  // The restarted Redis is empty; the instance rewrites its records and the room works again.
  await alice.say('back in business');
});
