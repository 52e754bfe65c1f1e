import type { App } from '@arcade/core';
import { InvalidRoomNameError, MetadataLimitError, RoomLimitError } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';

function defineRoutes(app: App): void {
  app.route.get('/ws').handleWebSocket((_ctx, websocket, id) => {
    websocket.add(id);
  });
}

describe('rooms and metadata through the public API', () => {
  let server: TestServer;
  let id: string;

  beforeEach(async () => {
    server = await startServer(defineRoutes, {
      serverOptions: { webSocket: { maxRoomsPerConnection: 3, maxMetadataBytes: 1024 } },
    });
    const client = await server.connect('/ws');
    id = await client.nextText();
  });

  afterEach(() => server.close());

  it('accepts room names with unicode, spaces and colons, up to 256 characters', async () => {
    for (const room of ['stream:42', 'salle de séjour 🎉', 'x'.repeat(256)]) {
      await expect(server.app.joinRoom(id, room)).resolves.toBe(true);
      expect(await server.app.getRoomMembers(room)).toEqual([id]);
      await expect(server.app.leaveRoom(id, room)).resolves.toBe(true);
      expect(await server.app.getRoomMembers(room)).toEqual([]);
    }
  });

  it('rejects invalid room names with InvalidRoomNameError', async () => {
    for (const room of ['', 'x'.repeat(257), 'line\nbreak', 'nul\u0000', 'tab\t']) {
      await expect(Promise.resolve().then(() => server.app.joinRoom(id, room))).rejects.toBeInstanceOf(
        InvalidRoomNameError,
      );
    }
  });

  it('answers false when joining or leaving for an unknown connection', async () => {
    await expect(server.app.joinRoom('unknown-id', 'room')).resolves.toBe(false);
    await expect(server.app.leaveRoom('unknown-id', 'room')).resolves.toBe(false);
    expect(await server.app.getRoomMembers('room')).toEqual([]);
  });

  it('keeps membership idempotent and reflects it in the connection info', async () => {
    await server.app.joinRoom(id, 'a');
    await server.app.joinRoom(id, 'a');
    await server.app.joinRoom(id, 'b');
    expect(await server.app.getRoomMembers('a')).toEqual([id]);
    const info = await server.app.getConnectionInfo(id);
    expect(info?.rooms).toEqual(new Set(['a', 'b']));
    expect(JSON.parse(JSON.stringify(info))).toMatchObject({ id, rooms: expect.arrayContaining(['a', 'b']) });
    expect(typeof JSON.parse(JSON.stringify(info)).connectTime).toBe('string');
  });

  it('throws RoomLimitError beyond maxRoomsPerConnection', async () => {
    for (const room of ['a', 'b', 'c']) await server.app.joinRoom(id, room);
    const error = await server.app.joinRoom(id, 'd').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RoomLimitError);
    expect(await server.app.getRoomMembers('d')).toEqual([]);
    // Rejoining a room it is already in is not a new room.
    await expect(server.app.joinRoom(id, 'a')).resolves.toBe(true);
  });

  it('throws MetadataLimitError beyond maxMetadataBytes and keeps the old metadata', async () => {
    await server.app.updateConnectionMetadata(id, { name: 'small' });
    const error = await server.app
      .updateConnectionMetadata(id, { blob: 'x'.repeat(2048) })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MetadataLimitError);
    expect((await server.app.getConnectionInfo(id))?.metadata).toMatchObject({ name: 'small' });
    expect((await server.app.getConnectionInfo(id))?.metadata).not.toHaveProperty('blob');
  });
});
