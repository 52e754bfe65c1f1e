import {
  ConnectionInfo,
  InvalidRoomNameError,
  MetadataLimitError,
  RoomLimitError,
  WebSocketError,
} from '../../src/index';
import { channelNames, storageKeys } from '../../src/registry/keys';
import { TestCluster, type TestInstance } from './support';

describe('rooms and connections on one instance', () => {
  let cluster: TestCluster;
  let instance: TestInstance;

  beforeEach(async () => {
    cluster = new TestCluster();
    instance = await cluster.start();
  });

  afterEach(() => cluster.stop());

  it('joinRoom adds a connection to the room and getRoomMembers lists it', async () => {
    const a = await instance.connect();
    const b = await instance.connect();
    expect(await instance.app.joinRoom(a.id, 'lobby')).toBe(true);
    expect(await instance.app.joinRoom(b.id, 'lobby')).toBe(true);
    expect((await instance.app.getRoomMembers('lobby')).sort()).toEqual([a.id, b.id].sort());
  });

  it('joinRoom and leaveRoom resolve false for an unknown connection', async () => {
    expect(await instance.app.joinRoom('nobody', 'lobby')).toBe(false);
    expect(await instance.app.leaveRoom('nobody', 'lobby')).toBe(false);
    expect(await instance.app.getRoomMembers('lobby')).toEqual([]);
  });

  it('emitToRoom reaches every member but the excluded ones, and nobody else', async () => {
    const [a, b, c, outsider] = await Promise.all([1, 2, 3, 4].map(() => instance.connect()));
    for (const member of [a, b, c]) await instance.app.joinRoom(member!.id, 'stream:42');
    await instance.app.emitToRoom('stream:42', 'hello');
    await instance.app.emitToRoom('stream:42', 'not for a', { exclude: a!.id });
    await instance.app.emitToRoom('stream:42', 'only c', { exclude: [a!.id, b!.id] });
    expect(a!.received).toEqual(['hello']);
    expect(b!.received).toEqual(['hello', 'not for a']);
    expect(c!.received).toEqual(['hello', 'not for a', 'only c']);
    expect(outsider!.received).toEqual([]);
  });

  it('emitToRoom rejects a third argument that is not { exclude }', async () => {
    const a = await instance.connect();
    await instance.app.joinRoom(a.id, 'room');
    const eventForm = instance.app.emitToRoom as unknown as (
      room: string,
      event: string,
      data: unknown,
    ) => Promise<void>;
    await expect(eventForm.call(instance.app, 'room', 'chat', { text: 'hi' })).rejects.toBeInstanceOf(
      TypeError,
    );
    expect(a.received).toEqual([]);
  });

  it('emitToRoom frames a message once for all local members', async () => {
    const members = await Promise.all([1, 2, 3].map(() => instance.connect()));
    for (const member of members) await instance.app.joinRoom(member.id, 'room');
    await instance.app.emitToRoom('room', { big: 'x'.repeat(1000) });
    const [first, ...others] = members.map((member) => member.frames[0]);
    for (const frame of others) expect(frame).toBe(first);
  });

  it('leaveRoom stops delivery and removes the member', async () => {
    const a = await instance.connect();
    const b = await instance.connect();
    await instance.app.joinRoom(a.id, 'room');
    await instance.app.joinRoom(b.id, 'room');
    expect(await instance.app.leaveRoom(a.id, 'room')).toBe(true);
    await instance.app.emitToRoom('room', 'after');
    expect(a.received).toEqual([]);
    expect(b.received).toEqual(['after']);
    expect(await instance.app.getRoomMembers('room')).toEqual([b.id]);
  });

  it('a closed connection leaves every room and its record is gone', async () => {
    const a = await instance.connect();
    await instance.app.joinRoom(a.id, 'one');
    await instance.app.joinRoom(a.id, 'two');
    instance.manager.setConnectionData(a.id, { kept: true });
    await instance.close(a);
    expect(await instance.app.getRoomMembers('one')).toEqual([]);
    expect(await instance.app.getConnectionInfo(a.id)).toBeNull();
    expect(instance.manager.getConnectionData(a.id)).toBeUndefined();
  });

  it('connection data stays readable between removeConnection and forgetConnection', async () => {
    const a = await instance.connect();
    instance.manager.setConnectionData(a.id, { messages: 3 });
    await instance.manager.removeConnection(a.id);
    expect(await instance.app.getConnectionInfo(a.id)).toBeNull();
    expect(instance.manager.getConnectionData(a.id)).toEqual({ messages: 3 });
    instance.manager.forgetConnection(a.id);
    expect(instance.manager.getConnectionData(a.id)).toBeUndefined();
  });

  it('setConnectionData ignores ids that are not connections of this instance', () => {
    instance.manager.setConnectionData('ghost', 1);
    expect(instance.manager.getConnectionData('ghost')).toBeUndefined();
  });

  it.each([
    ['an empty name', ''],
    ['a name of 257 characters', 'r'.repeat(257)],
    ['a newline', 'a\nb'],
    ['a NUL character', 'a\u0000b'],
    ['a C1 control character', 'a\u0085b'],
  ])('room functions reject %s with InvalidRoomNameError', async (_label, room) => {
    const a = await instance.connect();
    await expect(instance.app.joinRoom(a.id, room)).rejects.toBeInstanceOf(InvalidRoomNameError);
    await expect(instance.app.leaveRoom(a.id, room)).rejects.toBeInstanceOf(InvalidRoomNameError);
    await expect(instance.app.emitToRoom(room, 'x')).rejects.toBeInstanceOf(InvalidRoomNameError);
    await expect(instance.app.getRoomMembers(room)).rejects.toMatchObject({ code: 'INVALID_ROOM_NAME' });
  });

  it.each([
    ['the guide stream room', 'stream:42'],
    ['spaces and Unicode', 'salle de réunion 🎲'],
    ['256 characters', 'r'.repeat(256)],
  ])('room names accept %s', async (_label, room) => {
    const a = await instance.connect();
    expect(await instance.app.joinRoom(a.id, room)).toBe(true);
    expect(await instance.app.getRoomMembers(room)).toEqual([a.id]);
  });

  it('joinRoom throws RoomLimitError beyond maxRoomsPerConnection, and joining a room twice counts once', async () => {
    instance.manager.configure({ maxRoomsPerConnection: 2 });
    const a = await instance.connect();
    await instance.app.joinRoom(a.id, 'one');
    await instance.app.joinRoom(a.id, 'one');
    await instance.app.joinRoom(a.id, 'two');
    const error = await instance.app.joinRoom(a.id, 'three').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RoomLimitError);
    expect(error).toBeInstanceOf(WebSocketError);
    expect(error).toMatchObject({ code: 'ROOM_LIMIT', limit: 2 });
    expect(await instance.app.getRoomMembers('three')).toEqual([]);
  });

  it('updateConnectionMetadata merges shallowly and getConnectionInfo shows it', async () => {
    const a = await instance.connect();
    expect(
      await instance.app.updateConnectionMetadata(a.id, { username: 'ada', prefs: { theme: 'dark' } }),
    ).toBe(true);
    expect(await instance.app.updateConnectionMetadata(a.id, { prefs: { lang: 'fr' } })).toBe(true);
    const info = await instance.app.getConnectionInfo(a.id);
    expect(info?.metadata).toEqual({
      userAgent: 'jest',
      remoteAddress: '127.0.0.1',
      username: 'ada',
      prefs: { lang: 'fr' },
    });
    expect(await instance.app.updateConnectionMetadata('nobody', { a: 1 })).toBe(false);
  });

  it('updateConnectionMetadata throws MetadataLimitError past maxMetadataBytes and keeps the old metadata', async () => {
    instance.manager.configure({ maxMetadataBytes: 200 });
    const a = await instance.connect();
    await expect(
      instance.app.updateConnectionMetadata(a.id, { blob: 'x'.repeat(300) }),
    ).rejects.toBeInstanceOf(MetadataLimitError);
    const info = await instance.app.getConnectionInfo(a.id);
    expect(info?.metadata).toEqual({ userAgent: 'jest', remoteAddress: '127.0.0.1' });
  });

  it('getConnectionInfo describes the connection and toJSON gives arrays and ISO dates', async () => {
    const before = Date.now();
    const a = await instance.connect();
    await instance.app.joinRoom(a.id, 'room');
    const info = await instance.app.getConnectionInfo(a.id);
    expect(info).toBeInstanceOf(ConnectionInfo);
    expect(info?.serverInstanceId).toBe(instance.app.serverInstanceId);
    expect(info?.rooms).toEqual(new Set(['room']));
    expect(info?.connectTime.getTime()).toBeGreaterThanOrEqual(before);
    expect(JSON.parse(JSON.stringify(info))).toEqual({
      id: a.id,
      serverInstanceId: instance.app.serverInstanceId,
      connectTime: info?.connectTime.toISOString(),
      rooms: ['room'],
      metadata: { userAgent: 'jest', remoteAddress: '127.0.0.1' },
    });
  });

  it('emitTo reaches only an open local connection and reports whether it did', async () => {
    const a = await instance.connect();
    expect(instance.app.emitTo(a.id, 'private-message', { text: 'hi' })).toBe(true);
    expect(instance.app.emitTo('nobody', 'x')).toBe(false);
    expect(a.received).toEqual(['{"event":"private-message","data":{"text":"hi"}}']);
  });

  it('emitToAll reaches every local connection in both forms', async () => {
    const a = await instance.connect();
    const b = await instance.connect();
    await instance.app.emitToAll('chat', { from: 'x' });
    await instance.app.emitToAll(new Uint8Array([1, 2]));
    for (const connection of [a, b]) {
      expect(connection.received).toEqual(['{"event":"chat","data":{"from":"x"}}', new Uint8Array([1, 2])]);
    }
  });

  it('disconnect closes a local connection with the code and reason', async () => {
    const a = await instance.connect();
    expect(await instance.app.disconnect(a.id, 4000, 'Admin action')).toBe(true);
    expect(a.closedWith).toEqual({ code: 4000, reason: 'Admin action' });
    expect(await instance.app.disconnect('nobody')).toBe(false);
  });

  it('localConnectionIds and hasLocalConnections follow connections as they come and go', async () => {
    expect(instance.app.hasLocalConnections).toBe(false);
    const a = await instance.connect();
    expect(instance.app.localConnectionIds).toEqual([a.id]);
    expect(instance.app.hasLocalConnections).toBe(true);
    expect((await instance.app.getLocalConnections()).map((info) => info.id)).toEqual([a.id]);
    await instance.close(a);
    expect(instance.app.localConnectionIds).toEqual([]);
    expect(instance.app.hasLocalConnections).toBe(false);
  });

  it('1000 connect, join and disconnect cycles leave only the lease and registry keys in storage', async () => {
    for (let cycle = 0; cycle < 1000; cycle += 1) {
      const connection = await instance.connect();
      await instance.app.joinRoom(connection.id, `room-${cycle % 7}`);
      await instance.app.updateConnectionMetadata(connection.id, { cycle });
      await instance.close(connection);
    }
    expect(cluster.keys()).toEqual([`ws:instances`, storageKeys.lease(instance.app.serverInstanceId)]);
    expect(cluster.subscribedChannels().sort()).toEqual(
      [channelNames.broadcast, channelNames.instance(instance.app.serverInstanceId)].sort(),
    );
  });

  it('disposeWebSocketStorage removes the instance from storage and is a no-op the second time', async () => {
    await instance.connect();
    await instance.app.disposeWebSocketStorage();
    expect(cluster.keys()).toEqual([]);
    await expect(instance.app.disposeWebSocketStorage()).resolves.toBeUndefined();
  });

  it('initializeWebSocketStorage again with the same cache keeps it and the live connections', async () => {
    const a = await instance.connect();
    await instance.app.joinRoom(a.id, 'room');
    const [, joined] = await Promise.all([
      instance.app.initializeWebSocketStorage(instance.cache),
      instance.app.joinRoom(a.id, 'second'),
    ]);
    expect(joined).toBe(true);
    expect(instance.cache.status).toBe('ready');
    expect(await instance.app.getRoomMembers('room')).toEqual([a.id]);
    expect(await instance.app.getRoomMembers('second')).toEqual([a.id]);
    await instance.app.emitToRoom('room', 'still here');
    expect(a.received).toEqual(['still here']);
  });
});
