import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { e2eClient } from './support/e2e-client';
import { Instance } from './support/instance';
import { InstanceProcess } from './support/instance-process';
import { closeEverything } from './support/teardown';

// A real server process that crashes (SIGKILL) and is started again on its port, beside another
// instance on the same Redis: the client reconnects by itself, rejoins its room and recovers what the
// other instance emitted while the process was down.

let redis: RedisTestServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterEach(closeEverything);

afterAll(() => redis.stop());

it('reconnects to a crashed and restarted server process and recovers what another instance emitted meanwhile', async () => {
  const crashing = await InstanceProcess.start(redis.url);
  const other = await Instance.start({ redis: redis.url });
  const member = e2eClient(crashing.url());
  await member.join('incidents');
  const before = await member.client.request('whoami');
  await crashing.emitLines('incidents', 1, 2);
  await member.received('incidents', 2);

  await crashing.crash();
  expect(await member.nextStatus('reconnecting')).toMatchObject({ code: 1006 });
  await other.emitLines('incidents', 3, 4);
  const restarted = await crashing.restart();
  expect(await member.nextJoin('incidents')).toMatchObject({ info: { rejoin: true, recovered: true } });
  expect(await member.client.request('whoami')).not.toBe(before);
  await restarted.emitLines('incidents', 5, 5);
  await member.received('incidents', 5);

  expect(await other.historyOf('incidents')).toEqual([1, 2, 3, 4, 5]);
  expect(member.numbersOf('incidents')).toEqual([1, 2, 3, 4, 5]);
});
