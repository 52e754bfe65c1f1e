import { expectUpgradeRefused } from '@arcade/test-support';
import { useRedisServer } from '../registry/support';
import { RedisInspector } from '../support/redis-inspect';
import type { TestServer } from '../support/server';
import { keysMentioning } from '../support/tracking-cache';
import { joinAs, startRedisInstance } from './redis-instance';

// A rolling deploy seen from a client and from Redis: instance A drains while B stays.
jest.setTimeout(60_000);

const redis = useRedisServer();
let inspector: RedisInspector;
let a: TestServer | undefined;
let b: TestServer | undefined;

beforeAll(async () => {
  inspector = await RedisInspector.open(redis.server.port);
});

afterAll(() => inspector?.close());

beforeEach(async () => {
  a = await startRedisInstance(redis.url, 'ops-drain:');
  b = await startRedisInstance(redis.url, 'ops-drain:');
});

afterEach(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

it('answers readiness 503 and refuses upgrades, closes its sockets with 1012 and leaves no key of its own', async () => {
  const drained = a as TestServer;
  const staying = b as TestServer;
  const alice = await joinAs(drained, 'lobby');
  const bob = await joinAs(staying, 'lobby');
  const aInstance = drained.app.serverInstanceId;
  expect(keysMentioning(await inspector.snapshot(), [aInstance, alice.id])).not.toEqual([]);

  const draining = drained.server.drain({ delayMs: 60_000 });
  const readiness = await drained.request('/readyz');
  expect(readiness.status).toBe(503);
  expect(readiness.json()).toEqual({
    ready: false,
    draining: true,
    checks: { webSocketStorage: { ready: true } },
  });
  expect((await staying.request('/readyz')).status).toBe(200);
  const refused = await expectUpgradeRefused(drained.wsUrl('/ws/rooms/lobby'));
  expect(refused.status).toBe(503);
  expect(JSON.parse(refused.body)).toEqual({ error: { statusCode: 503, message: 'Server is draining' } });
  // Until the delay ends, plain HTTP is still served (the load balancer may still route some).
  expect((await drained.request('/livez')).status).toBe(200);

  // The delay is cut short here (as a second SIGTERM or an explicit close would), not waited for.
  await drained.server.close();
  await draining;
  expect(await alice.client.closed).toEqual({ code: 1012, reason: 'Server restarting' });
  await expect(drained.request('/livez')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  await expect(expectUpgradeRefused(drained.wsUrl('/ws/rooms/lobby'))).rejects.toMatchObject({
    code: 'ECONNREFUSED',
  });

  const keys = await inspector.snapshot();
  expect(keysMentioning(keys, [aInstance, alice.id])).toEqual([]);
  expect(keysMentioning(keys, [staying.app.serverInstanceId, bob.id])).not.toEqual([]);
  await staying.app.emitToRoom('lobby', 'still here');
  expect(await bob.client.nextText('still here')).toBe('still here');
});
