import { type Scrape, scrape, waitFor } from '@arcade/test-support';
import { useRedisServer } from '../registry/support';
import type { TestServer } from '../support/server';
import { joinAs, startRedisInstance } from './redis-instance';

// Storage metrics and readiness of two instances on a real redis-server, which a test stops (SIGKILL)
// and starts again: the outage support of the registry tests (test/registry/support.ts).
jest.setTimeout(60_000);

const redis = useRedisServer();
let prefixes = 0;
let a: TestServer | undefined;
let b: TestServer | undefined;

beforeEach(async () => {
  prefixes += 1;
  a = await startRedisInstance(redis.url, `ops-storage-${prefixes}:`);
  b = await startRedisInstance(redis.url, `ops-storage-${prefixes}:`);
});

afterEach(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

const metricsOf = (server: TestServer | undefined): Promise<Scrape> => scrape(`${server?.url}/metrics`);
const sum = (scraped: Scrape, name: string): number =>
  scraped.samples(name).reduce((total, sample) => total + sample.value, 0);

it('measures storage calls by operation and counts pub/sub messages both ways', async () => {
  const bob = await joinAs(b as TestServer, 'lobby');
  const before = [await metricsOf(a), await metricsOf(b)];
  await a?.app.emitToRoom('lobby', 'hello bob');
  expect(await bob.client.nextText('hello bob')).toBe('hello bob');
  const after = [await metricsOf(a), await metricsOf(b)];

  const pubSub = (scraped: Scrape | undefined, direction: string) =>
    scraped?.value('arcade_ws_pubsub_messages_total', { direction }) ?? Number.NaN;
  expect(pubSub(after[0], 'out') - pubSub(before[0], 'out')).toBe(1);
  expect(pubSub(after[1], 'in') - pubSub(before[1], 'in')).toBe(1);

  const calls = (scraped: Scrape | undefined, operation: string) =>
    scraped?.value('arcade_ws_storage_call_duration_seconds_count', { operation }) ?? 0;
  // Measured from the server's start: B's join (subscribe, then batch), A's emit (publish).
  expect(calls(after[0], 'publish')).toBeGreaterThanOrEqual(1);
  expect(calls(after[1], 'subscribe')).toBeGreaterThanOrEqual(1);
  expect(calls(after[1], 'batch')).toBeGreaterThanOrEqual(1);
  expect(after[0]?.families.get('arcade_ws_storage_call_duration_seconds')?.type).toBe('histogram');
  expect(sum(after[0] as Scrape, 'arcade_ws_storage_errors_total')).toBe(0);
  expect(after[1]?.value('arcade_ws_storage_reachable')).toBe(1);
  expect(after[1]?.answer.text).not.toContain('lobby');
});

it('counts errors and an outage while Redis is down and the subscriptions restored after; readiness follows', async () => {
  await joinAs(b as TestServer, 'lobby');
  expect((await a?.request('/readyz'))?.status).toBe(200);

  await redis.server.kill();
  try {
    await waitFor(async () => (await a?.request('/readyz'))?.status === 503, {
      description: 'readiness 503 once Redis is gone',
    });
    const readiness = (await a?.request('/readyz'))?.json();
    expect(readiness).toEqual({
      ready: false,
      draining: false,
      checks: {
        webSocketStorage: { ready: false, reason: expect.stringMatching(/^the WebSocket storage is \w+$/) },
      },
    });
    await expect(a?.app.emitToRoom('lobby', 'lost')).rejects.toMatchObject({
      name: 'StorageUnavailableError',
      code: 'STORAGE_UNAVAILABLE',
    });
    await waitFor(async () => sum(await metricsOf(a), 'arcade_ws_storage_errors_total') > 0, {
      description: 'a storage error counted',
    });
    const during = await metricsOf(a);
    expect(during.value('arcade_ws_storage_outages_total')).toBe(1);
    expect(during.value('arcade_ws_storage_recoveries_total')).toBe(0);
    expect(during.value('arcade_ws_storage_reachable')).toBe(0);
    expect(sum(during, 'arcade_ws_storage_unavailable_total')).toBeGreaterThanOrEqual(1);
    for (const sample of during.samples('arcade_ws_storage_errors_total')) {
      expect(sample.labels.code).toMatch(/^[A-Z_]+$/);
    }
  } finally {
    await redis.server.restart();
  }

  await waitFor(
    async () =>
      (await a?.request('/readyz'))?.status === 200 && (await b?.request('/readyz'))?.status === 200,
    { description: 'both instances ready again', timeoutMs: 20_000 },
  );
  const [afterA, afterB] = [await metricsOf(a), await metricsOf(b)];
  expect(afterA.value('arcade_ws_storage_recoveries_total')).toBe(1);
  expect(afterA.value('arcade_ws_storage_reachable')).toBe(1);
  // A: its control and broadcast channels; B: those and the channel of its room.
  expect(afterA.value('arcade_ws_pubsub_resubscriptions_total')).toBe(2);
  expect(afterB.value('arcade_ws_pubsub_resubscriptions_total')).toBe(3);
});
