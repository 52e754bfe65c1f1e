import { RedisCacheManager } from '@arcade/cache-redis';
import { waitFor } from '@arcade/test-support';
import { nanoid } from 'nanoid';
import {
  type HistoryOptions,
  InvalidRoomNameError,
  type RoomHistory,
  type RoomHistoryOptions,
  type RoomPosition,
} from '../../src/index';
import { storageKeys } from '../../src/registry/keys';
import { messageCases } from '../support/emit-cases';
import { type Received, TestCluster, type TestInstance, useRedisServer } from './support';

// Room history (docs/design.md, "Room history"; guarantees 9–11) on every storage a user can choose:
// the private in-memory store (one instance), a shared in-process store and Redis (two instances each).
// The multi-process side (concurrent instances, Redis restarted empty, storage calls) is in
// test/cluster/history.test.ts.
jest.setTimeout(30_000);

const redis = useRedisServer();
let cluster: TestCluster;

afterEach(() => cluster?.stop());

/** Two instances of one app on one storage (the same instance twice for the private store). */
interface Setup {
  readonly a: TestInstance;
  readonly b: TestInstance;
  /** Whether the room's history key exists in the shared storage; `undefined` for the private store. */
  historyStored(room: string): Promise<boolean | undefined>;
}

const setups: ReadonlyArray<[name: string, start: () => Promise<Setup>]> = [
  [
    'the private in-memory store',
    async () => {
      cluster = new TestCluster();
      const only = cluster.startPrivate();
      return { a: only, b: only, historyStored: async () => undefined };
    },
  ],
  ['a shared in-process store', () => shared()],
  [
    'Redis',
    () => {
      const keyPrefix = `test-${nanoid(6)}:`;
      return shared(() => new RedisCacheManager({ url: redis.url, keyPrefix }));
    },
  ],
];

async function shared(createCache?: () => RedisCacheManager): Promise<Setup> {
  cluster = new TestCluster();
  const a = await cluster.start({}, createCache?.());
  const b = await cluster.start({}, createCache?.());
  return { a, b, historyStored: (room) => a.cache.contains(storageKeys.history(room)) };
}

function configure(setup: Setup, history: HistoryOptions): void {
  for (const instance of new Set([setup.a, setup.b])) instance.manager.configure({ history });
}

/** A member of `room` on each instance (one for the private store). */
async function membersOf(setup: Setup, room: string) {
  const onA = await setup.a.connect();
  const onB = setup.b === setup.a ? onA : await setup.b.connect();
  await setup.a.app.joinRoom(onA.id, room);
  await setup.a.app.joinRoom(onB.id, room);
  return [...new Set([onA, onB])];
}

function offsets(history: RoomHistory): number[] {
  return history.messages.map((message) => message.offset);
}

function texts(history: RoomHistory): Received[] {
  return history.messages.map((message) => message.message);
}

/** Emits `count` numbered messages with history from `instance`; resolves their positions. */
async function emitNumbered(instance: TestInstance, room: string, count: number): Promise<RoomPosition[]> {
  const positions: RoomPosition[] = [];
  for (let n = 1; n <= count; n += 1) {
    positions.push(await instance.app.emitToRoom(room, `m${n}`, { history: true }));
  }
  return positions;
}

describe.each(setups)('room history on %s', (_name, start) => {
  let setup: Setup;

  beforeEach(async () => {
    setup = await start();
  });

  it('numbers history messages 1, 2, 3… in one epoch, and every member receives each once', async () => {
    const members = await membersOf(setup, 'lobby');
    const first = await setup.a.app.emitToRoom('lobby', 'one', { history: true });
    const second = await setup.b.app.emitToRoom('lobby', 'two', { history: true });
    const third = await setup.a.app.emitToRoom('lobby', { event: 'chat', data: 3 }, { history: true });
    expect(first.epoch).toEqual(expect.any(String));
    expect([first, second, third]).toEqual([1, 2, 3].map((offset) => ({ epoch: first.epoch, offset })));
    for (const member of members) {
      expect(await member.waitForCount(3)).toEqual(['one', 'two', '{"event":"chat","data":3}']);
    }
    const history = await setup.b.app.getRoomHistory('lobby');
    expect(history).toEqual({
      messages: [
        { offset: 1, message: 'one', time: expect.any(Date) },
        { offset: 2, message: 'two', time: expect.any(Date) },
        { offset: 3, message: '{"event":"chat","data":3}', time: expect.any(Date) },
      ],
      position: third,
      recovered: true,
    });
    const times = history.messages.map((message) => message.time.getTime());
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it('keeps nothing for an emit without history, or with history: false', async () => {
    const [member] = await membersOf(setup, 'plain');
    expect(await setup.a.app.emitToRoom('plain', 'not kept')).toBeUndefined();
    expect(await setup.a.app.emitToRoom('plain', 'not kept either', { history: false })).toBeUndefined();
    expect(await member!.waitForCount(2)).toEqual(['not kept', 'not kept either']);
    expect(await setup.a.app.getRoomHistory('plain')).toEqual({
      messages: [],
      position: null,
      recovered: true,
    });
    expect(await setup.historyStored('plain')).not.toBe(true);
  });

  it('keeps every message exactly as emitted: JSON-looking and empty text, unicode, bytes', async () => {
    for (const [, message] of messageCases) await setup.a.app.emitToRoom('exact', message, { history: true });
    const history = await setup.b.app.getRoomHistory('exact');
    expect(history.messages.map((entry) => received(entry.message))).toEqual(
      messageCases.map(([, , expected]) => ('text' in expected ? expected.text : expected.bytes)),
    );
  });

  it('limit reads the newest messages; it defaults to the history size and is capped there', async () => {
    configure(setup, { size: 5 });
    const positions = await emitNumbered(setup.a, 'limits', 8);
    expect(offsets(await setup.a.app.getRoomHistory('limits'))).toEqual([4, 5, 6, 7, 8]);
    expect(offsets(await setup.a.app.getRoomHistory('limits', { limit: 2 }))).toEqual([7, 8]);
    expect(offsets(await setup.a.app.getRoomHistory('limits', { limit: 100 }))).toEqual([4, 5, 6, 7, 8]);
    expect(await setup.b.app.getRoomHistory('limits', { limit: 0 })).toEqual({
      messages: [],
      position: positions[7],
      recovered: true,
    });
  });

  it('since recovers exactly the messages after it, or nothing when there is nothing new', async () => {
    const positions = await emitNumbered(setup.a, 'recover', 5);
    const history = await setup.b.app.getRoomHistory('recover', { since: positions[1] });
    expect(texts(history)).toEqual(['m3', 'm4', 'm5']);
    expect(history).toMatchObject({ recovered: true, position: positions[4] });
    expect(await setup.b.app.getRoomHistory('recover', { since: positions[4] })).toEqual({
      messages: [],
      position: positions[4],
      recovered: true,
    });
  });

  it('answers recovered: false with the newest messages when since cannot be recovered whole', async () => {
    configure(setup, { size: 5 });
    const positions = await emitNumbered(setup.a, 'lost', 8);
    const epoch = (positions[0] as RoomPosition).epoch;
    const cases: Array<[string, RoomHistoryOptions, number[]]> = [
      ['trimmed away', { since: { epoch, offset: 1 } }, [4, 5, 6, 7, 8]],
      ['more missed than limit', { since: { epoch, offset: 5 }, limit: 2 }, [7, 8]],
      ['another epoch', { since: { epoch: `${epoch}x`, offset: 7 } }, [4, 5, 6, 7, 8]],
      ['ahead of the room', { since: { epoch, offset: 99 } }, [4, 5, 6, 7, 8]],
    ];
    for (const [what, options, expected] of cases) {
      const history = await setup.b.app.getRoomHistory('lost', options);
      expect({ what, recovered: history.recovered, offsets: offsets(history) }).toEqual({
        what,
        recovered: false,
        offsets: expected,
      });
    }
    const never = await setup.b.app.getRoomHistory('never written', { since: { epoch, offset: 1 } });
    expect(never).toEqual({ messages: [], position: null, recovered: false });
  });

  it('combines history with exclude', async () => {
    const members = await membersOf(setup, 'excl');
    const sender = members[0]!;
    const others = members.slice(1);
    const extra = await setup.b.connect();
    await setup.b.app.joinRoom(extra.id, 'excl');
    await setup.a.app.emitToRoom('excl', 'not to the sender', { history: true, exclude: sender.id });
    await setup.a.app.emitToRoom('excl', 'to all', { history: true });
    for (const member of [...others, extra]) {
      expect(await member.waitForCount(2)).toEqual(['not to the sender', 'to all']);
    }
    expect(await sender.waitForCount(1)).toEqual(['to all']);
    expect(texts(await setup.a.app.getRoomHistory('excl'))).toEqual(['not to the sender', 'to all']);
  });

  it('lists history in the order every member received it while both instances emit at once', async () => {
    const members = await membersOf(setup, 'race');
    const perInstance = 25;
    await Promise.all(
      [setup.a, setup.b].flatMap((instance, i) =>
        Array.from({ length: perInstance }, (_, n) =>
          instance.app.emitToRoom('race', `${i}:${n}`, { history: true }),
        ),
      ),
    );
    const total = 2 * perInstance;
    const history = await setup.a.app.getRoomHistory('race', { limit: total });
    expect(offsets(history)).toEqual(Array.from({ length: total }, (_, n) => n + 1));
    for (const member of members) expect(await member.waitForCount(total)).toEqual(texts(history));
  });

  it('forgets a room ttlMs after its last history message; the next one starts a new epoch at 1', async () => {
    configure(setup, { ttlMs: 300 });
    const old = await setup.a.app.emitToRoom('fading', 'old', { history: true });
    expect(await setup.historyStored('fading')).not.toBe(false);
    await waitFor(async () => (await setup.b.app.getRoomHistory('fading')).position === null, {
      description: 'the history to expire',
    });
    expect(await setup.historyStored('fading')).not.toBe(true);
    const fresh = await setup.b.app.emitToRoom('fading', 'new', { history: true });
    expect(fresh.offset).toBe(1);
    expect(fresh.epoch).not.toBe(old.epoch);
    const history = await setup.a.app.getRoomHistory('fading', { since: old });
    expect(history).toMatchObject({ recovered: false, position: fresh });
    expect(texts(history)).toEqual(['new']);
  });

  it('rejects invalid arguments with a clear error, and keeps and delivers nothing for them', async () => {
    const [member] = await membersOf(setup, 'strict');
    const app = setup.a.app;
    const emit = app.emitToRoom as (room: unknown, message: unknown, options?: unknown) => Promise<unknown>;
    const read = app.getRoomHistory as (room: unknown, options?: unknown) => Promise<unknown>;
    await expect(emit.call(app, '', 'm', { history: true })).rejects.toBeInstanceOf(InvalidRoomNameError);
    await expect(emit.call(app, 'strict', 'm', { history: 'yes' })).rejects.toThrow(
      new TypeError('emitToRoom: history must be true or false, got yes'),
    );
    await expect(emit.call(app, 'strict', 'm', { history: true, keep: 1 })).rejects.toBeInstanceOf(TypeError);
    await expect(read.call(app, 'a\u0000b')).rejects.toBeInstanceOf(InvalidRoomNameError);
    await expect(read.call(app, 'strict', null)).rejects.toBeInstanceOf(TypeError);
    for (const limit of [-1, 1.5, Number.NaN, '3']) {
      await expect(read.call(app, 'strict', { limit })).rejects.toThrow(RangeError);
    }
    for (const since of [null, 3, {}, { epoch: '', offset: 1 }, { epoch: 'e', offset: -1 }, { epoch: 'e' }]) {
      await expect(read.call(app, 'strict', { since })).rejects.toThrow(
        /getRoomHistory: since must be a position/,
      );
    }
    expect(() => setup.a.manager.configure({ history: { size: 0 } })).toThrow(RangeError);
    expect(() => setup.a.manager.configure({ history: { ttlMs: -5 } })).toThrow(RangeError);
    await setup.a.app.emitToRoom('strict', 'marker');
    expect(await member!.waitForCount(1)).toEqual(['marker']);
    expect(await setup.a.app.getRoomHistory('strict')).toMatchObject({ position: null, messages: [] });
  });
});

function received(message: Received): string | number[] {
  return typeof message === 'string' ? message : [...message];
}
