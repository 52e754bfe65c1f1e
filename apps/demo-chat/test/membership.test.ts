import { CacheError } from '@arcade/cache';
import { MemoryCacheManager } from '@arcade/cache-memory';
import { httpRequest, RecordingLogger } from '@arcade/test-support';
import { type ChatServer, createChatServer, type RoomSummary } from '../src';
import { ChatClient } from './support/chat-client';
import { UNREACHED_LIMITS } from './support/limits';
import { type ProbedCache, probeCache, type StorageCall } from './support/probed-cache';
import { RawEventsClient } from './support/raw-events-client';

// Membership as the others in a room see it: `memberJoined` once the member is in the room (and never
// for a join that failed), `memberLeft` and the room directory for the protocol's own leave. The
// joining and leaving side speaks the protocol by hand (RawEventsClient): its frames are the point.
// A storage step of a join is held or failed on the real (memory) cache, through test/support/probed-cache.ts.

/** @arcade/ws's keys of a room (packages/arcade-ws/src/registry/keys.ts): its member set and its history. */
const roomKey = (room: string): string => `ws:room:{r:${room}}`;
const historyKey = (room: string): string => `ws:history:{r:${room}}`;

/** The write that adds a connection to `room`'s member set: the storage step of a join. */
const joinWriteOf =
  (room: string) =>
  (call: StorageCall): boolean =>
    call.method === 'batch' && call.keys.includes(roomKey(room));

let probed: ProbedCache;
let server: ChatServer;
const clients: (ChatClient | RawEventsClient)[] = [];

async function client(name: string): Promise<ChatClient> {
  const c = await ChatClient.connect(server.url, name);
  clients.push(c);
  return c;
}

async function raw(name: string): Promise<RawEventsClient> {
  const c = await RawEventsClient.connect(server.url, name);
  clients.push(c);
  return c;
}

/** The members `GET /api/rooms` counts in each of `rooms` (the earlier tests' may still be leaving). */
async function listedCounts(...rooms: string[]): Promise<number[]> {
  const listed = (await httpRequest(`${server.url}/api/rooms`)).json<{ rooms: RoomSummary[] }>().rooms;
  return rooms.map((room) => listed.find((summary) => summary.name === room)?.memberCount ?? 0);
}

async function memberIds(room: string): Promise<string[]> {
  const reply = await httpRequest(`${server.url}/api/rooms/${room}/members`);
  return reply.json<{ members: { id: string }[] }>().members.map((member) => member.id);
}

beforeAll(async () => {
  probed = probeCache(new MemoryCacheManager());
  server = await createChatServer({
    port: 0,
    host: '127.0.0.1',
    cache: probed.cache,
    clientLimits: UNREACHED_LIMITS,
    logger: new RecordingLogger(),
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server?.close();
  await probed?.cache.dispose();
});

describe('memberJoined', () => {
  it('reaches the room once the member is in it, counted', async () => {
    const alice = await client('Alice');
    await alice.join('arrivals');
    // What a member reads about the room as soon as it hears of a newcomer.
    const readOnNotice: Promise<string[]>[] = [];
    alice.client.on('memberJoined', () => readOnNotice.push(memberIds('arrivals')));
    const bob = await raw('Bob');

    const held = probed.holdNext(joinWriteOf('arrivals'));
    const answer = bob.answer(bob.join('arrivals'));
    try {
      await held.reached;
      // Bob's join is stopped at the storage, so he is not in the room. A reply to Alice written now
      // reaches her after anything the server sent her before: no notice among it.
      await alice.client.request('listRooms');
      expect(alice.all('memberJoined')).toEqual([]);
    } finally {
      held.release();
    }
    expect(await answer).toMatchObject({ t: 'res' });
    expect(await alice.next('memberJoined')).toMatchObject({
      room: 'arrivals',
      member: { id: bob.connectionId, name: 'Bob' },
      memberCount: 2,
    });
    expect(readOnNotice).toHaveLength(1);
    expect(await readOnNotice[0]).toEqual(expect.arrayContaining([alice.connectionId, bob.connectionId]));
    // And every listing made once the room heard of him counts him.
    expect(await listedCounts('arrivals')).toEqual([2]);
  });

  it('is not sent for a join that failed, which leaves the member in the room it was in', async () => {
    const alice = await client('Alice');
    const carol = await client('Carol');
    await alice.join('failed-arrivals');
    await carol.join('stay-here');
    const bob = await raw('Bob');
    expect(await bob.answer(bob.join('stay-here'))).toMatchObject({ t: 'res' });
    await carol.next('memberJoined');

    // The join is authorized, then its history read fails: @arcade/ws refuses it.
    probed.failNext(
      (call) => call.method === 'readLog' && call.keys.includes(historyKey('failed-arrivals')),
      new CacheError('UNAVAILABLE', 'injected: the history read failed'),
    );
    expect(await bob.answer(bob.join('failed-arrivals'))).toMatchObject({ t: 'err' });
    // Still in his room: his line goes there, after any notice Carol could have been sent.
    expect(await bob.answer(bob.request('say', { text: 'still here' }))).toMatchObject({ t: 'res' });
    await carol.next('line', (line) => line.text === 'still here');
    expect(carol.all('memberLeft')).toEqual([]);
    await alice.client.request('listRooms');
    expect(alice.all('memberJoined')).toEqual([]);
    expect(await listedCounts('failed-arrivals', 'stay-here')).toEqual([1, 2]);

    // Joined for real this time: one notice, and he leaves Carol's room.
    expect(await bob.answer(bob.join('failed-arrivals'))).toMatchObject({ t: 'res' });
    expect(await alice.next('memberJoined')).toMatchObject({
      member: { id: bob.connectionId },
      memberCount: 2,
    });
    expect(await carol.next('memberLeft')).toMatchObject({
      member: { id: bob.connectionId },
      memberCount: 1,
    });
  });
});

describe("the protocol's leave", () => {
  it('tells the room and the room directory', async () => {
    const alice = await client('Alice');
    await alice.join('exits');
    const bob = await raw('Bob');
    expect(await bob.answer(bob.join('exits'))).toMatchObject({ t: 'res' });
    await alice.next('memberJoined');

    expect(await bob.answer(bob.leave('exits'))).toMatchObject({ t: 'res' });
    // Answered once the room was told: a reply to Alice written now comes after the notice.
    await alice.client.request('listRooms');
    expect(alice.all('memberLeft')).toEqual([
      expect.objectContaining({
        room: 'exits',
        member: { id: bob.connectionId, name: 'Bob' },
        memberCount: 1,
      }),
    ]);
    expect(await listedCounts('exits')).toEqual([1]);
    expect(await memberIds('exits')).toEqual([alice.connectionId]);
    expect(await bob.answer(bob.request('say', { text: 'anyone?' }))).toMatchObject({ code: 'NOT_JOINED' });
  });

  it('of a room the connection is not in changes nothing', async () => {
    const alice = await client('Alice');
    await alice.join('untouched');
    const bob = await raw('Bob');
    expect(await bob.answer(bob.join('untouched'))).toMatchObject({ t: 'res' });
    await alice.next('memberJoined');

    expect(await bob.answer(bob.leave('elsewhere'))).toMatchObject({ t: 'res' });
    expect(await bob.answer(bob.request('say', { text: 'still in' }))).toMatchObject({ t: 'res' });
    await alice.next('line', (line) => line.text === 'still in');
    expect(alice.all('memberLeft')).toEqual([]);
    expect(await listedCounts('untouched')).toEqual([2]);
  });
});
