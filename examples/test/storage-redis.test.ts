import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { TestClient } from '@arcade/test-support';
import { start } from '../src/storage-redis';
import { useExample } from './support/example';
import { type ExampleProcess, startExampleProcess } from './support/example-process';
import { expectRelayed, joinRelay } from './support/room-relay';

describe('storage-redis', () => {
  let redis: RedisTestServer;
  // A second instance of the example, in its own process, on the same Redis.
  let other: ExampleProcess;
  const otherClients: TestClient[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    other = await startExampleProcess('storage-redis', { REDIS_URL: redis.url });
  });

  const example = useExample(start, () => ({ redisUrl: redis.url }));

  afterAll(async () => {
    await Promise.all(otherClients.map((client) => client.close()));
    await other?.stop();
    await redis?.stop();
  });

  const connectToOther = async (path: string) => {
    const client = await TestClient.connect(`ws://127.0.0.1:${other.port}${path}`);
    otherClients.push(client);
    return client;
  };

  it('shares rooms through Redis between two instances', async () => {
    const alice = await joinRelay((path) => example().connect(path), 'lobby');
    const bob = await joinRelay(connectToOther, 'lobby');

    await expectRelayed(alice, 'from this instance', [alice, bob]);
    await expectRelayed(bob, 'from the other one', [alice, bob]);

    const members = (await example().request('/api/rooms/lobby')).json<{ members: string[] }>().members;
    expect([...members].sort()).toEqual([alice.id, bob.id].sort());
  });
});
