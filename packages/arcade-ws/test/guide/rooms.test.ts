import { type App, BadRequestException, BodyParseSuccess } from '@arcade/core';
import { type TestClient, waitFor } from '@arcade/test-support';
import { startServer, type TestServer } from '../support/server';

interface RoomJoined {
  type: 'room_joined';
  roomId: string;
  members: string[];
  memberCount: number;
}

// The guide's room chat (native room support) with its room information API.
function defineRoomChatRoutes(app: App): void {
  app.route.get('/ws/chat/:roomId').handleWebSocket(
    (ctx, websocket, id) => {
      const roomId = ctx.pathParameters.roomId!;
      websocket.listen(async (data) => {
        const json = JSON.parse(String(data)) as { type: string; message?: string };
        switch (json.type) {
          case 'message':
            await app.emitToRoom(
              roomId,
              JSON.stringify({
                type: 'chat_message',
                from: id,
                message: json.message,
                timestamp: new Date().toISOString(),
              }),
            );
            break;
          case 'typing':
            await app.emitToRoom(roomId, JSON.stringify({ type: 'user_typing', userId: id }));
            break;
        }
      });
    },
    {
      onConnect: async (ctx, websocket, id) => {
        const roomId = ctx.pathParameters.roomId!;
        await app.joinRoom(id, roomId);
        const members = await app.getRoomMembers(roomId);
        websocket.add(JSON.stringify({ type: 'room_joined', roomId, members, memberCount: members.length }));
        await app.emitToRoom(
          roomId,
          JSON.stringify({ type: 'user_joined', userId: id, memberCount: members.length }),
        );
      },
    },
  );

  app.route.get('/api/rooms/:roomId').handle(async (ctx) => {
    const roomId = ctx.pathParameters.roomId!;
    const members = await app.getRoomMembers(roomId);
    return { roomId, members, memberCount: members.length };
  });

  // The guide's move-room API.
  app.route.post('/api/users/:userId/move-room').handle(async (ctx) => {
    const userId = ctx.pathParameters.userId!;
    const body = await ctx.jsonMap();
    if (!(body instanceof BodyParseSuccess)) throw new BadRequestException();
    const fromRoom = body.value.from as string | undefined;
    const toRoom = body.value.to as string;
    if (fromRoom != null) await app.leaveRoom(userId, fromRoom);
    await app.joinRoom(userId, toRoom);
    return { moved: true, from: fromRoom ?? null, to: toRoom };
  });
}

async function enter(
  server: TestServer,
  roomId: string,
): Promise<{ client: TestClient; joined: RoomJoined; id: string }> {
  const client = await server.connect(`/ws/chat/${encodeURIComponent(roomId)}`);
  const joined = await client.nextJson<RoomJoined>((value) => value.type === 'room_joined');
  const own = await client.nextJson<{ type: string; userId: string }>(
    (value) => value.type === 'user_joined',
  );
  return { client, joined, id: own.userId };
}

describe('guide: room chat', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer(defineRoomChatRoutes);
  });

  afterEach(() => server.close());

  it('sends room_joined with the members and tells the room about the newcomer', async () => {
    const alice = await enter(server, 'lobby');
    expect(alice.joined).toEqual({
      type: 'room_joined',
      roomId: 'lobby',
      members: [alice.id],
      memberCount: 1,
    });

    const bob = await enter(server, 'lobby');
    expect([...bob.joined.members].sort()).toEqual([alice.id, bob.id].sort());
    expect(bob.joined.memberCount).toBe(2);
    expect(await alice.client.nextJson((value) => value.type === 'user_joined')).toEqual({
      type: 'user_joined',
      userId: bob.id,
      memberCount: 2,
    });
  });

  it('delivers chat_message and user_typing to the room members only', async () => {
    const alice = await enter(server, 'lobby');
    const bob = await enter(server, 'lobby');
    const carol = await enter(server, 'kitchen');
    await alice.client.send(JSON.stringify({ type: 'typing' }));
    await alice.client.send(JSON.stringify({ type: 'message', message: 'hello lobby' }));
    for (const member of [alice, bob]) {
      expect(await member.client.nextJson((value) => value.type === 'user_typing')).toEqual({
        type: 'user_typing',
        userId: alice.id,
      });
      const chat = await member.client.nextJson<Record<string, string>>(
        (value) => value.type === 'chat_message',
      );
      expect(chat).toMatchObject({ type: 'chat_message', from: alice.id, message: 'hello lobby' });
    }
    // Carol, in another room, sees her own room's message first and nothing from the lobby.
    await carol.client.send(JSON.stringify({ type: 'message', message: 'kitchen only' }));
    const first = await carol.client.nextJson<Record<string, string>>(
      (value) => value.type !== 'user_joined',
    );
    expect(first).toMatchObject({ type: 'chat_message', message: 'kitchen only' });
  });

  it('lists the members through GET /api/rooms/:roomId, and drops a member once it disconnects', async () => {
    const alice = await enter(server, 'stream:42');
    const bob = await enter(server, 'stream:42');
    const answer = await server.request(`/api/rooms/${encodeURIComponent('stream:42')}`);
    expect(answer.status).toBe(200);
    const info = answer.json<{ roomId: string; members: string[]; memberCount: number }>();
    expect(info.roomId).toBe('stream:42');
    expect([...info.members].sort()).toEqual([alice.id, bob.id].sort());
    expect(info.memberCount).toBe(2);

    await alice.client.close();
    await waitFor(
      async () => {
        const members = await server.app.getRoomMembers('stream:42');
        return members.length === 1 && members[0] === bob.id;
      },
      { description: 'alice to leave the room on close' },
    );
    expect((await server.app.getConnectionInfo(bob.id))?.rooms).toEqual(new Set(['stream:42']));
  });

  it('moves a user between rooms through POST /api/users/:userId/move-room', async () => {
    const alice = await enter(server, 'red');
    const bob = await enter(server, 'blue');
    const answer = await server.request(`/api/users/${alice.id}/move-room`, {
      method: 'POST',
      body: { from: 'red', to: 'blue' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ moved: true, from: 'red', to: 'blue' });
    expect(await server.app.getRoomMembers('red')).toEqual([]);
    expect([...(await server.app.getRoomMembers('blue'))].sort()).toEqual([alice.id, bob.id].sort());
    expect((await server.app.getConnectionInfo(alice.id))?.rooms).toEqual(new Set(['blue']));

    await bob.client.send(JSON.stringify({ type: 'message', message: 'welcome to blue' }));
    expect(await alice.client.nextJson((value) => value.type === 'chat_message')).toMatchObject({
      from: bob.id,
      message: 'welcome to blue',
    });
  });

  it('moves a user into a room when no from room is given', async () => {
    const alice = await enter(server, 'red');
    const answer = await server.request(`/api/users/${alice.id}/move-room`, {
      method: 'POST',
      body: { to: 'green' },
    });
    expect(answer.json()).toEqual({ moved: true, from: null, to: 'green' });
    expect((await server.app.getConnectionInfo(alice.id))?.rooms).toEqual(new Set(['red', 'green']));
  });
});
