import { Cluster, type ClusterClient, type ClusterInstance } from '../support/cluster';
import { eventCases, expectFrame, messageCases } from '../support/emit-cases';

// Guarantees 1–3 of docs/design.md with three real instances on one real redis-server.
jest.setTimeout(60_000);

let cluster: Cluster;
let a: ClusterInstance;
let b: ClusterInstance;
let c: ClusterInstance;

beforeAll(async () => {
  cluster = await Cluster.start({ instances: 3 });
  [a, b, c] = cluster.instances as [ClusterInstance, ClusterInstance, ClusterInstance];
});

afterAll(() => cluster?.close());

let roomCounter = 0;
/** A room name no other test uses. */
function freshRoom(label: string): string {
  roomCounter++;
  return `${label}:${roomCounter}`;
}

describe('guarantee 1: byte-exact delivery across instances', () => {
  let onA: ClusterClient;
  let onB: ClusterClient;
  let onC: ClusterClient;
  const room = 'bytes';

  beforeAll(async () => {
    [onA, onB, onC] = await Promise.all([a.connect(), b.connect(), c.connect()]);
    await a.call('joinRoom', onB.id, room);
    await a.call('joinRoom', onC.id, room);
  });

  afterAll(async () => {
    await Promise.all([onA, onB, onC].map((connected) => connected?.client.close()));
  });

  it.each(
    messageCases,
  )('emitToRoom from A delivers %s unchanged on B and C', async (_label, message, expected) => {
    await a.call('emitToRoom', room, message);
    expectFrame(await onB.client.next(), expected);
    expectFrame(await onC.client.next(), expected);
  });

  it.each(
    messageCases,
  )('emitToAll from B delivers %s unchanged everywhere', async (_label, message, expected) => {
    await b.call('emitToAll', message);
    for (const connected of [onA, onB, onC]) expectFrame(await connected.client.next(), expected);
  });

  it.each(
    messageCases,
  )('emitToConnection from A delivers %s unchanged on C', async (_label, message, expected) => {
    expect(await a.call('emitToConnection', onC.id, message)).toBe(true);
    expectFrame(await onC.client.next(), expected);
  });

  it.each(
    eventCases,
  )('the event form with %s arrives as {event, data} on other instances', async (_l, event, data, text) => {
    await c.call('emitToAll', event, data);
    expect(await c.call('emitToConnection', onB.id, event, data)).toBe(true);
    for (const connected of [onA, onB, onC]) expectFrame(await connected.client.next(), { text });
    expectFrame(await onB.client.next(), { text });
  });
});

describe('guarantee 2: a resolved joinRoom/leaveRoom is visible to the next emit, whoever calls it', () => {
  it('joinRoom on any instance for a connection on B is seen by the next emit from any instance', async () => {
    const target = await b.connect();
    // Joins called on the owner (B) and on other instances; emits from every instance.
    const pairs = [
      [a, c],
      [c, a],
      [b, a],
      [a, b],
      [b, c],
    ] as const;
    for (let round = 0; round < 20; round++) {
      const room = freshRoom('remote-join');
      const [joiner, emitter] = pairs[round % pairs.length]!;
      expect(await joiner.call('joinRoom', target.id, room)).toBe(true);
      await emitter.call('emitToRoom', room, `after join ${round}`);
      expect(await target.client.nextText()).toBe(`after join ${round}`);
    }
    await target.client.close();
  });

  it('leaveRoom on A for a connection on B stops the very next emit', async () => {
    const target = await b.connect();
    const other = await c.connect();
    for (let round = 0; round < 20; round++) {
      const room = freshRoom('remote-leave');
      await c.call('joinRoom', target.id, room);
      await b.call('joinRoom', other.id, room);
      expect(await a.call('leaveRoom', target.id, room)).toBe(true);
      // The leave is applied by the time it resolves: storage no longer lists the member anywhere.
      expect(await c.call('getRoomMembers', room)).toEqual([other.id]);
      await c.call('emitToRoom', room, `after leave ${round}`);
      // The member still in the room gets it; the one that left sees the sentinel first.
      expect(await other.client.nextText()).toBe(`after leave ${round}`);
      await c.call('emitToConnection', target.id, `sentinel ${round}`);
      expect(await target.client.nextText()).toBe(`sentinel ${round}`);
    }
    await Promise.all([target.client.close(), other.client.close()]);
  });

  it('every instance sees the same members and rooms after a remote join', async () => {
    const target = await b.connect();
    const room = freshRoom('views');
    await a.call('joinRoom', target.id, room);
    for (const instance of [a, b, c]) {
      expect(await instance.call('getRoomMembers', room)).toEqual([target.id]);
      expect(await instance.call('getConnectionInfo', target.id)).toMatchObject({
        id: target.id,
        serverInstanceId: b.instanceId,
        rooms: [room],
      });
    }
    await c.call('leaveRoom', target.id, room);
    for (const instance of [a, b, c]) expect(await instance.call('getRoomMembers', room)).toEqual([]);
    await target.client.close();
  });

  it('joinRoom and leaveRoom answer false for a connection that exists nowhere', async () => {
    expect(await a.call('joinRoom', 'no-such-connection', 'room')).toBe(false);
    expect(await a.call('leaveRoom', 'no-such-connection', 'room')).toBe(false);
    expect(await b.call('getRoomMembers', 'room')).toEqual([]);
  });
});

describe('emitToRoom exclusions across instances', () => {
  it('skips excluded connections wherever they are', async () => {
    const room = freshRoom('exclude');
    const members = await Promise.all([a.connect(), b.connect(), b.connect(), c.connect()]);
    for (const member of members) await c.call('joinRoom', member.id, room);
    const [onA, onB1, onB2, onC] = members as [ClusterClient, ClusterClient, ClusterClient, ClusterClient];
    await a.call('emitToRoom', room, 'not for B1', { exclude: onB1.id });
    await a.call('emitToRoom', room, 'for B1 and C', { exclude: [onA.id, onB2.id] });
    await a.call('emitToRoom', room, 'for all');
    expect(await onA.client.nextText()).toBe('not for B1');
    expect(await onA.client.nextText()).toBe('for all');
    expect(await onB1.client.nextText()).toBe('for B1 and C');
    expect(await onB1.client.nextText()).toBe('for all');
    expect(await onB2.client.nextText()).toBe('not for B1');
    expect(await onB2.client.nextText()).toBe('for all');
    expect(await onC.client.nextText()).toBe('not for B1');
    expect(await onC.client.nextText()).toBe('for B1 and C');
    expect(await onC.client.nextText()).toBe('for all');
    await Promise.all(members.map((member) => member.client.close()));
  });
});

describe('guarantee 3: per-sender order', () => {
  it('keeps the order of 1000 messages from each of two concurrent senders', async () => {
    const room = freshRoom('order');
    const receivers = await Promise.all([a.connect(), b.connect(), c.connect()]);
    for (const receiver of receivers) await b.call('joinRoom', receiver.id, room);
    const count = 1000;
    const burst = (sender: string) =>
      Array.from({ length: count }, (_, index) => ({ fn: 'emitToRoom', args: [room, `${sender}:${index}`] }));
    const [fromA, fromC] = await Promise.all([a.batch(burst('A')), c.batch(burst('C'))]);
    expect([...fromA, ...fromC].filter((outcome) => !outcome.ok)).toEqual([]);

    for (const receiver of receivers) {
      const seen: Record<string, number[]> = { A: [], C: [] };
      for (let index = 0; index < 2 * count; index++) {
        const [sender, sequence] = (await receiver.client.nextText()).split(':');
        seen[sender!]!.push(Number(sequence));
      }
      const expected = Array.from({ length: count }, (_, index) => index);
      expect(seen.A).toEqual(expected);
      expect(seen.C).toEqual(expected);
    }
    await Promise.all(receivers.map((receiver) => receiver.client.close()));
  });
});
