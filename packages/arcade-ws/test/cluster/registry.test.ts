import { waitFor } from '@arcade/test-support';
import { Cluster, type ClusterClient, type ClusterInstance } from '../support/cluster';

// Guarantee 7 of docs/design.md and the cluster-wide connection registry, with three real instances.
jest.setTimeout(60_000);

interface ConnectionJson {
  id: string;
  serverInstanceId: string;
  connectTime: string;
  rooms: string[];
  metadata: Record<string, unknown>;
}

let cluster: Cluster;
let a: ClusterInstance;
let b: ClusterInstance;
let c: ClusterInstance;

beforeAll(async () => {
  cluster = await Cluster.start({ instances: 3 });
  [a, b, c] = cluster.instances as [ClusterInstance, ClusterInstance, ClusterInstance];
});

afterAll(() => cluster?.close());

async function closeAll(clients: readonly ClusterClient[]): Promise<void> {
  await Promise.all(clients.map((connected) => connected.client.close()));
  // Wait until the cluster no longer lists them, so the next test starts from a clean registry.
  const ids = new Set(clients.map((connected) => connected.id));
  await waitFor(
    async () => {
      const all = await a.call<ConnectionJson[]>('getAllConnections');
      return all.every((info) => !ids.has(info.id));
    },
    { description: 'the closed connections to leave the registry' },
  );
}

describe('the connection registry is cluster-wide', () => {
  it('getAllConnections lists every connection of every instance, from any instance', async () => {
    const clients = [...(await a.connectMany(2)), ...(await b.connectMany(3)), ...(await c.connectMany(1))];
    const expected = clients.map((connected) => [connected.id, connected.instance.instanceId]).sort();
    for (const instance of [a, b, c]) {
      const all = await instance.call<ConnectionJson[]>('getAllConnections');
      expect(all.map((info) => [info.id, info.serverInstanceId]).sort()).toEqual(expected);
    }
    const localOnB = await b.call<ConnectionJson[]>('getLocalConnections');
    expect(localOnB.map((info) => info.id).sort()).toEqual(
      clients
        .filter((connected) => connected.instance === b)
        .map((connected) => connected.id)
        .sort(),
    );
    expect((await c.info()).localConnectionIds).toEqual([clients[5]!.id]);
    await closeAll(clients);
  });

  it('emitToConnection reaches a connection on another instance and answers false for an unknown one', async () => {
    const [target] = await b.connectMany(1);
    expect(await a.call('emitToConnection', target!.id, 'hello from A')).toBe(true);
    expect(await target!.client.nextText()).toBe('hello from A');
    expect(await a.call('emitToConnection', 'no-such-connection', 'x')).toBe(false);
    // emitTo stays local: it answers false for a connection on another instance.
    expect(await a.call('emitTo', target!.id, 'x')).toBe(false);
    await closeAll([target!]);
  });

  it('updateConnectionMetadata merges metadata of a connection on another instance', async () => {
    const [target] = await b.connectMany(1);
    expect(
      await a.call('updateConnectionMetadata', target!.id, { user: 'ada', prefs: { theme: 'dark' } }),
    ).toBe(true);
    expect(await c.call('updateConnectionMetadata', target!.id, { prefs: { lang: 'fr' } })).toBe(true);
    for (const instance of [a, b, c]) {
      const info = await instance.call<ConnectionJson>('getConnectionInfo', target!.id);
      expect(info.metadata).toMatchObject({ user: 'ada', prefs: { lang: 'fr' } });
      expect(info.metadata.prefs).toEqual({ lang: 'fr' });
      expect(String(info.metadata.remoteAddress)).toContain('127.0.0.1');
    }
    expect(await a.call('updateConnectionMetadata', 'no-such-connection', { x: 1 })).toBe(false);
    await closeAll([target!]);
  });

  it('disconnect closes a connection on another instance with the code and reason given', async () => {
    const [target] = await c.connectMany(1);
    await c.call('joinRoom', target!.id, 'doomed');
    expect(await a.call('disconnect', target!.id, 4001, 'bye from A')).toBe(true);
    expect(await target!.client.closed).toEqual({ code: 4001, reason: 'bye from A' });
    await waitFor(async () => (await b.call('getConnectionInfo', target!.id)) === null, {
      description: 'the record of the disconnected connection to go',
    });
    expect(await b.call('getRoomMembers', 'doomed')).toEqual([]);
    expect(await a.call('disconnect', target!.id)).toBe(false);
  });
});

describe('typed errors for connections on other instances', () => {
  it('throws the same typed errors as for a local connection', async () => {
    const [target] = await b.connectMany(1);
    const tooBig = await a.settle('updateConnectionMetadata', target!.id, { blob: 'x'.repeat(20_000) });
    expect(tooBig.ok ? null : tooBig.error).toMatchObject({
      name: 'MetadataLimitError',
      code: 'METADATA_LIMIT',
    });

    const rooms = Array.from({ length: 100 }, (_, index) => `limit-${index}`);
    const joins = await c.batch(rooms.map((room) => ({ fn: 'joinRoom', args: [target!.id, room] })));
    expect(joins.every((outcome) => outcome.ok && outcome.value === true)).toBe(true);
    const overLimit = await a.settle('joinRoom', target!.id, 'one too many');
    expect(overLimit.ok ? null : overLimit.error).toMatchObject({
      name: 'RoomLimitError',
      code: 'ROOM_LIMIT',
    });
    expect(await b.call('getRoomMembers', 'one too many')).toEqual([]);

    const badName = await a.settle('joinRoom', target!.id, 'bad\nname');
    expect(badName.ok ? null : badName.error).toMatchObject({
      name: 'InvalidRoomNameError',
      code: 'INVALID_ROOM_NAME',
    });
    await closeAll([target!]);
  });
});

describe('guarantee 7: rooms cost what they must and reach only where members are', () => {
  it('an instance with no member in a room receives nothing for it', async () => {
    const room = 'no-member-on-c';
    const [onA] = await a.connectMany(1);
    const [onB] = await b.connectMany(1);
    const [onC] = await c.connectMany(1);
    await a.call('joinRoom', onA!.id, room);
    await a.call('joinRoom', onB!.id, room);
    const token = `only-for-a-and-b-${Date.now()}`;
    await a.call('emitToRoom', room, token);
    expect(await onB!.client.nextText()).toBe(token);
    expect(await onA!.client.nextText()).toBe(token);
    // Pub/sub messages reach each subscriber in publish order: once C has the later broadcast,
    // anything published for the room before it would have reached C too.
    await a.call('emitToAll', 'marker');
    expect(await onC!.client.nextText()).toBe('marker');
    expect(await c.received(token)).toBe(0);
    expect(await b.received(token)).toBeGreaterThan(0);

    // A room whose members are all local to the sender publishes nothing that B or C receive.
    const localRoom = 'local-only';
    await a.call('joinRoom', onA!.id, localRoom);
    const localToken = `local-${Date.now()}`;
    await a.call('emitToRoom', localRoom, localToken);
    expect(await onA!.client.nextText('marker')).toBe('marker');
    expect(await onA!.client.nextText()).toBe(localToken);
    await a.call('emitToAll', 'marker 2');
    await Promise.all([onB!.client.nextText('marker 2'), onC!.client.nextText('marker 2')]);
    expect(await b.received(localToken)).toBe(0);
    expect(await c.received(localToken)).toBe(0);
    await closeAll([onA!, onB!, onC!]);
  });

  it('emitToRoom makes one storage call, its publish, for a room of 1 as for a room of 60 across instances', async () => {
    const [lonely] = await b.connectMany(1);
    const crowd = [...(await a.connectMany(10)), ...(await b.connectMany(25)), ...(await c.connectMany(25))];
    await a.call('joinRoom', lonely!.id, 'small');
    await Promise.all(crowd.map((member) => c.call('joinRoom', member.id, 'big')));
    // Warm up both paths once (lazy subscriptions, caches), then count one emit each.
    await a.call('emitToRoom', 'small', 'warm');
    await a.call('emitToRoom', 'big', 'warm');
    const small = await a.counted('emitToRoom', 'small', 'counted');
    const big = await a.counted('emitToRoom', 'big', 'counted');
    expect(small.outcome.ok && big.outcome.ok).toBe(true);
    expect({ small: small.storageCalls, big: big.storageCalls }).toEqual({
      small: ['publish'],
      big: ['publish'],
    });
    for (const member of [lonely!, ...crowd]) {
      expect(await member.client.nextText()).toBe('warm');
      expect(await member.client.nextText()).toBe('counted');
    }
    await closeAll([lonely!, ...crowd]);
  });

  it('an instance subscribes per room, not per connection, and only while it has local members', async () => {
    const before = await b.info();
    const members = await b.connectMany(10);
    await Promise.all(members.map((member) => a.call('joinRoom', member.id, 'subscribed')));
    const after = await b.info();
    // Exactly one live subscription for the room: none would lose messages, one per member multiplies them.
    const during = after.liveChannels.filter((channel) => !before.liveChannels.includes(channel));
    expect(during).toEqual([expect.stringContaining('subscribed')]);
    expect(after.liveSubscriptions - before.liveSubscriptions).toBe(1);
    await closeAll(members);
    await waitFor(async () => (await b.info()).liveChannels.every((channel) => !during.includes(channel)), {
      description: 'B to drop the room subscription once its last member left',
    });
  });
});
