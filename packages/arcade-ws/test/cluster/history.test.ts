import { waitFor } from '@arcade/test-support';
import { storageKeys } from '../../src/registry/keys';
import { STORAGE_RECOVERY_BOUND_MS, TIMING_SLACK_MS } from '../support/bounds';
import {
  Cluster,
  type ClusterClient,
  type ClusterInstance,
  type RemoteCall,
  waitForRoomDelivery,
} from '../support/cluster';

// Room history across real instance processes on one real redis-server (guarantees 9–11 of
// docs/design.md). The API itself, on every storage, is in test/registry/history.test.ts.
jest.setTimeout(60_000);

/** A position as the control API hands it over (JSON). */
interface Position {
  readonly epoch: string;
  readonly offset: number;
}

/** `getRoomHistory`'s answer as the control API hands it over (dates as ISO strings). */
interface HistoryJson {
  readonly messages: Array<{ offset: number; message: string; time: string }>;
  readonly position: Position | null;
  readonly recovered: boolean;
}

const HISTORY = { size: 5, ttlMs: 1500 };

let cluster: Cluster;
let a: ClusterInstance;
let b: ClusterInstance;

beforeAll(async () => {
  cluster = await Cluster.start({ instances: 2, history: HISTORY });
  [a, b] = cluster.instances as [ClusterInstance, ClusterInstance];
});

afterAll(() => cluster?.close());

/** Every client opened by a test is closed after it, so that later tests start with none. */
const opened: ClusterClient[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((connected) => connected.client.close()));
});

async function membersOf(room: string, perInstance: number): Promise<ClusterClient[]> {
  const members = [...(await a.connectMany(perInstance)), ...(await b.connectMany(perInstance))];
  opened.push(...members);
  for (const member of members) expect(await a.call('joinRoom', member.id, room)).toBe(true);
  return members;
}

/** The history key of `room` in Redis, as the instances' adapter names it (docs/cluster.md). */
function historyKey(room: string): string {
  return cluster.storedKey(storageKeys.history(room));
}

it('lists history in the order every member received it while two instances emit at once (guarantee 9)', async () => {
  const room = 'race';
  const members = await membersOf(room, 2);
  const perInstance = 40;
  const calls = (label: string): RemoteCall[] =>
    Array.from({ length: perInstance }, (_, n) => ({
      fn: 'emitToRoom',
      args: [room, `${label}${n}`, { history: true }],
    }));
  const [fromA, fromB] = await Promise.all([a.batch(calls('a')), b.batch(calls('b'))]);
  const emitted = [
    ...(fromA ?? []).map((outcome, n) => ({ text: `a${n}`, outcome })),
    ...(fromB ?? []).map((outcome, n) => ({ text: `b${n}`, outcome })),
  ];
  const positions = emitted.map(({ text, outcome }) => {
    if (!outcome.ok) throw new Error(`emit of ${text} failed: ${outcome.error.message}`);
    return { text, offset: (outcome.value as Position).offset };
  });
  const total = 2 * perInstance;
  expect(positions.map(({ offset }) => offset).sort((x, y) => x - y)).toEqual(
    Array.from({ length: total }, (_, n) => n + 1),
  );

  const received = await Promise.all(
    members.map(async (member) => {
      const texts: string[] = [];
      while (texts.length < total) texts.push(await member.client.nextText());
      return texts;
    }),
  );
  // Every member received every message in one order, and each emit's position is its place in it.
  for (const texts of received) expect(texts).toEqual(received[0]);
  for (const { text, offset } of positions)
    expect({ offset, text: received[0]?.[offset - 1] }).toEqual({ offset, text });
  // The history keeps the newest `size` of them, in that order.
  const history = await b.call<HistoryJson>('getRoomHistory', room);
  expect(history.messages.map((message) => message.offset)).toEqual([76, 77, 78, 79, 80]);
  expect(history.messages.map((message) => message.message)).toEqual(received[0]?.slice(-HISTORY.size));
});

it('costs one storage call per history emit, for a room of 1 and a room of 60 (guarantee 10)', async () => {
  await membersOf('one', 1);
  const many = await membersOf('sixty', 30);
  expect(many).toHaveLength(60);
  for (const room of ['one', 'sixty']) {
    const { outcome, storageCalls } = await a.counted('emitToRoom', room, 'counted', { history: true });
    expect(outcome.ok).toBe(true);
    expect({ room, storageCalls }).toEqual({ room, storageCalls: ['appendToLog'] });
  }
  const { storageCalls } = await a.counted('getRoomHistory', 'sixty');
  expect(storageCalls).toEqual(['readLog']);
});

it('keeps a room’s history within size and ttlMs in Redis, then removes it (guarantee 10)', async () => {
  const inspector = await cluster.inspector();
  const room = 'bounded';
  for (let n = 1; n <= 8; n += 1) await a.call('emitToRoom', room, `m${n}`, { history: true });
  expect(await inspector.command('XLEN', historyKey(room))).toBe(HISTORY.size);
  const ttl = await inspector.ttlMs(historyKey(room));
  expect(ttl).toBeGreaterThan(HISTORY.ttlMs / 2);
  expect(ttl).toBeLessThanOrEqual(HISTORY.ttlMs);
  expect(await inspector.command('EXISTS', historyKey('never used'))).toBe(0);
  await a.call('emitToRoom', 'never used', 'without history');
  expect(await inspector.command('EXISTS', historyKey('never used'))).toBe(0);
  await waitFor(async () => (await inspector.command('EXISTS', historyKey(room))) === 0, {
    description: 'the history key to expire',
    timeoutMs: HISTORY.ttlMs + TIMING_SLACK_MS,
  });
  expect(await b.call<HistoryJson>('getRoomHistory', room)).toEqual({
    messages: [],
    position: null,
    recovered: true,
  });
});

it('starts a new epoch at offset 1 after Redis restarted empty; an old position is not recovered (guarantee 11)', async () => {
  const room = 'restart';
  const [, onB] = await membersOf(room, 1);
  await a.call('emitToRoom', room, 'first', { history: true });
  const before = await a.call<Position>('emitToRoom', room, 'second', { history: true });
  expect(before.offset).toBe(2);

  await cluster.redis.kill();
  await cluster.redis.restart();

  await waitForRoomDelivery(a, onB!, room, 'probe', STORAGE_RECOVERY_BOUND_MS + TIMING_SLACK_MS);
  // The restart lost the history: the storage holds none for the room.
  expect(await a.call('getRoomHistory', room)).toEqual({ messages: [], position: null, recovered: true });
  const after = await a.call<Position>('emitToRoom', room, 'after restart', { history: true });
  expect(after.offset).toBe(1);
  expect(after.epoch).not.toBe(before.epoch);
  const history = await b.call<HistoryJson>('getRoomHistory', room, { since: before });
  expect(history).toMatchObject({ recovered: false, position: after });
  expect(history.messages.map((message) => message.message)).toEqual(['after restart']);
  expect(await onB!.client.nextText('after restart')).toBe('after restart');
});
