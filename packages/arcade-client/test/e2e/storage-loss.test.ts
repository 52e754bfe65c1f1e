import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { deferred, holdNextCall } from '@arcade/test-support';
import { ServerError } from '../../src/index';
import { e2eClient } from './support/e2e-client';
import { Instance } from './support/instance';
import { proxyTo, urlThrough } from './support/network';
import { closeEverything } from './support/teardown';

// The storage failing under the client: a Redis that lost the room's history (restarted empty, no
// persistence) while a member was away, whose rejoin must be answered `recovered: false` and whose
// position from before the loss must never be sent again (packages/arcade-ws/docs/events-protocol.md,
// "Joining, and recovery"); and a Redis down when a join comes. Its own file: it kills its Redis.

const ROOM = 'ledger';

let redis: RedisTestServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterEach(closeEverything);

afterAll(() => redis.stop());

it('answers recovered: false after Redis restarted empty, and the next rejoin sends the new position', async () => {
  const server = await Instance.start({ redis: redis.url });
  const proxy = await proxyTo(server);
  const member = e2eClient(urlThrough(proxy));
  await member.join(ROOM);
  await server.emitLines(ROOM, 1, 2);
  await member.received(ROOM, 2);
  const stale = member.client.rooms.get(ROOM);

  proxy.block();
  await member.nextStatus('reconnecting');
  const storageBack = deferred();
  let wentDown = false;
  const stopWatching = server.storage?.onStatusChange((status) => {
    if (status !== 'ready') wentDown = true;
    else if (wentDown) storageBack.resolve();
  });
  await redis.restart();
  await storageBack.promise;
  stopWatching?.();
  // Kept after the loss: a new epoch of the room's history, which the member never saw.
  const current = await server.emitLines(ROOM, 3, 3);
  expect(current.epoch).not.toBe(stale?.epoch);

  proxy.restore();
  expect(await member.nextJoin(ROOM)).toEqual({
    room: ROOM,
    info: { rejoin: true, recovered: false, position: current },
  });
  expect(member.client.rooms.get(ROOM)).toEqual(current);
  // Nothing replayed: the app reloads what it shows.
  expect(member.numbersOf(ROOM)).toEqual([1, 2]);

  const rejoin = holdNextCall(server.registry, 'getRoomHistory', 'before', (room) => room === ROOM);
  proxy.cut();
  const [, read] = await rejoin.reached;
  rejoin.release();
  expect(read?.since).toEqual(current);
  expect(await member.nextJoin(ROOM)).toEqual({
    room: ROOM,
    info: { rejoin: true, recovered: true, position: current },
  });
  await server.emitLines(ROOM, 4, 4);
  await member.received(ROOM, 4);
  expect(await server.historyOf(ROOM)).toEqual([3, 4]);
  expect(member.numbersOf(ROOM)).toEqual([1, 2, 4]);
});

it('retries a join the storage could not serve (STORAGE_UNAVAILABLE) until Redis is back', async () => {
  const server = await Instance.start({ redis: redis.url });
  const member = e2eClient(server.url());
  await member.nextStatus('open');

  await redis.kill();
  const joining = member.client.join('outage');
  const refused = await member.errors.next();
  expect(refused).toBeInstanceOf(ServerError);
  expect(refused).toMatchObject({ code: 'STORAGE_UNAVAILABLE', room: 'outage' });
  expect(member.client.rooms.has('outage')).toBe(true);
  await redis.restart();

  await expect(joining).resolves.toEqual({ recovered: true, position: null });
  const position = await server.emitLines('outage', 1, 1);
  await member.received('outage', 1);
  expect(member.client.rooms.get('outage')).toEqual(position);
});
