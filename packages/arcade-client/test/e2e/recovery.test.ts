import { type RedisTestServer, startRedisServer } from '@arcade/cache-redis/testing';
import { type HoldPoint, holdNextCall } from '@arcade/test-support';
import { StorageUnavailableError } from '@arcade/ws';
import { type E2eClient, e2eClient } from './support/e2e-client';
import { Instance } from './support/instance';
import { proxyTo, urlThrough } from './support/network';
import { closeEverything } from './support/teardown';

// Recovery without gap or duplicate (packages/arcade-ws/docs/events-protocol.md, "Joining, and recovery
// without gap or duplicate"), real client against real servers: a member loses its connection (a TCP
// proxy cut), lines are emitted with history while it is away and while its rejoin reads the history
// (the read held open at each of its two sides), and every member must end with exactly the lines the
// room's history holds, in order, each once.

/** Enough for every line a test emits: a trimmed history is another test (rooms.test.ts). */
const HISTORY_SIZE = 2000;

let redis: RedisTestServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterEach(closeEverything);

afterAll(() => redis.stop());

/** `a` serves the member that loses its connection; `b` is another instance on the same storage. */
interface Setup {
  readonly a: Instance;
  readonly b: Instance;
}

const setups: ReadonlyArray<[name: string, start: () => Promise<Setup>]> = [
  [
    'one instance on its private store',
    async () => {
      const only = await Instance.start({ historySize: HISTORY_SIZE });
      return { a: only, b: only };
    },
  ],
  [
    'two instances on one Redis',
    async () => {
      const options = { redis: redis.url, historySize: HISTORY_SIZE };
      return { a: await Instance.start(options), b: await Instance.start(options) };
    },
  ],
];

let round = 0;

/** Every member got exactly the room's history, in order, once, with positions that only go up. */
async function expectExactlyTheHistory(room: string, setup: Setup, members: E2eClient[]): Promise<void> {
  const history = await setup.a.historyOf(room);
  expect(await setup.b.historyOf(room)).toEqual(history);
  for (const member of members) {
    expect(member.numbersOf(room)).toEqual(history);
    const positions = member.lines.all.filter((line) => line.room === room).map((line) => line.position);
    expect(new Set(positions.map((position) => position?.epoch)).size).toBe(1);
    const offsets = positions.map((position) => position?.offset ?? 0);
    expect(offsets).toEqual([...new Set(offsets)].sort((x, y) => x - y));
  }
}

describe.each(setups)('on %s', (_name, start) => {
  let setup: Setup;
  let room: string;

  beforeEach(async () => {
    setup = await start();
    round += 1;
    room = `room-${round}`;
  });

  it.each<HoldPoint>([
    'before',
    'after',
  ])('a member cut off gets exactly the history: emits during the outage and while its rejoin read is held %s the read', async (point) => {
    const { a, b } = setup;
    const proxy = await proxyTo(a);
    const away = e2eClient(urlThrough(proxy));
    const stayingOnA = e2eClient(a.url());
    const stayingOnB = e2eClient(b.url());
    const members = [away, stayingOnA, stayingOnB];
    await Promise.all(members.map((member) => member.join(room)));
    await a.emitLines(room, 1, 2);
    await b.emitLines(room, 3, 3);
    await away.received(room, 3);

    proxy.block();
    await away.nextStatus('reconnecting');
    await a.emitLines(room, 4, 5);
    await b.emitLines(room, 6, 7);
    // The rejoin's read (with `since`: the position the member kept) is held open at `point`.
    const held = holdNextCall(a.registry, 'getRoomHistory', point, (name, options) => {
      return name === room && options?.since !== undefined;
    });
    proxy.restore();
    const [, read] = await held.reached;
    expect(read?.since).toEqual(away.client.rooms.get(room));
    await a.emitLines(room, 8, 8);
    await b.emitLines(room, 9, 9);
    // Delivered to a's members (the rejoining connection among them, its lines held back meanwhile).
    await stayingOnA.received(room, 9);
    held.release();

    expect(await away.nextJoin(room)).toMatchObject({ info: { rejoin: true, recovered: true } });
    await b.emitLines(room, 10, 10);
    await Promise.all(members.map((member) => member.received(room, 10)));
    expect(await a.historyOf(room)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await expectExactlyTheHistory(room, setup, members);
  });

  it('retries, with the same position, a rejoin whose history read failed: still exactly the history', async () => {
    const { a, b } = setup;
    const proxy = await proxyTo(a);
    const away = e2eClient(urlThrough(proxy));
    const staying = e2eClient(a.url());
    await Promise.all([away.join(room), staying.join(room)]);
    await a.emitLines(room, 1, 1);
    await away.received(room, 1);
    const kept = away.client.rooms.get(room);

    proxy.block();
    await away.nextStatus('reconnecting');
    await b.emitLines(room, 2, 2);
    const failing = holdNextCall(a.registry, 'getRoomHistory', 'before', (name) => name === room);
    proxy.restore();
    await failing.reached;
    // The member's new connection is in the room now: these reach it, held back, then dropped.
    await b.emitLines(room, 3, 3);
    await a.emitLines(room, 4, 4);
    await staying.received(room, 4);
    const retry = holdNextCall(a.registry, 'getRoomHistory', 'before', (name) => name === room);
    failing.fail(new StorageUnavailableError('the history read failed'));

    expect(await away.errors.next()).toMatchObject({ code: 'STORAGE_UNAVAILABLE', room });
    const [, read] = await retry.reached;
    expect(read?.since).toEqual(kept);
    retry.release();
    expect(await away.nextJoin(room)).toMatchObject({ info: { rejoin: true, recovered: true } });
    await a.emitLines(room, 5, 5);
    await Promise.all([away.received(room, 5), staying.received(room, 5)]);
    expect(await a.historyOf(room)).toEqual([1, 2, 3, 4, 5]);
    await expectExactlyTheHistory(room, setup, [away, staying]);
  });

  it('a member cut off again and again while both instances emit in a tight loop gets exactly the history', async () => {
    const { a, b } = setup;
    const network = await proxyTo(a);
    const away = e2eClient(urlThrough(network));
    const staying = e2eClient(b.url());
    await Promise.all([away.join(room), staying.join(room)]);
    let last = 0;
    let joinedAt = 0;
    for (let cuts = 0; cuts < 5; cuts += 1) {
      let rejoined = false;
      // Each instance emits line after line (each as soon as the member that stays got the one
      // before), through the cut, the reconnection and the replay, until the rejoin is answered.
      const emitting = [a, b].map(async (instance) => {
        while (!rejoined && last < HISTORY_SIZE / 2) {
          last += 1;
          const n = last;
          await instance.emitLines(room, n, n);
          await staying.received(room, n);
        }
      });
      await away.lines.next((line) => (line.position?.offset ?? 0) > joinedAt, 'a line after the join');
      network.cut();
      const { info } = await away.nextJoin(room);
      rejoined = true;
      expect(info).toMatchObject({ rejoin: true, recovered: true });
      joinedAt = info.position?.offset ?? 0;
      await Promise.all(emitting);
    }
    last += 1;
    await a.emitLines(room, last, last);
    await Promise.all([away.received(room, last), staying.received(room, last)]);
    expect(await a.historyOf(room)).toHaveLength(last);
    await expectExactlyTheHistory(room, setup, [away, staying]);
  });
});
