// Guide: "Chat application with rooms" (the room chat and GET /api/rooms/:roomId) and "Room
// management" (GET /api/rooms/:roomId/members, POST /api/users/:userId/move-room).
// Run: node examples/dist/room-chat.js, connect clients to ws://localhost:3000/ws/chat/lobby and send
//      {"type":"message","message":"hi"} or {"type":"typing"}; curl localhost:3000/api/rooms/lobby
import { type ArcadeServer, BadRequestException, BodyParseSuccess, NotFoundException } from '@arcade/core';
import { emitToRoom, getRoomMembers, joinRoom, leaveRoom, route, runServer } from '@arcade/ws';
import { parseClientMessage, stringField } from './client-message';
import { type ExampleOptions, runFromCommandLine } from './run-example';

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  route.get('/ws/chat/:roomId').handleWebSocket(
    (ctx, websocket, id) => {
      const roomId = ctx.pathParameters.roomId!;
      websocket.listen(async (data) => {
        const json = parseClientMessage(data);
        const message = stringField(json, 'message');
        if (json.type === 'message' && message !== undefined) {
          // Broadcast the message to all room members
          const timestamp = new Date().toISOString();
          await emitToRoom(roomId, JSON.stringify({ type: 'chat_message', from: id, message, timestamp }));
        } else if (json.type === 'typing') {
          // Notify the others in the room that this user is typing
          await emitToRoom(roomId, JSON.stringify({ type: 'user_typing', userId: id }), { exclude: id });
        }
      });
      // No leaveRoom() on close: a closed connection leaves all its rooms by itself.
    },
    {
      onConnect: async (ctx, websocket, id) => {
        const roomId = ctx.pathParameters.roomId!;
        await joinRoom(id, roomId);
        const members = await getRoomMembers(roomId);
        // Send room info to the new user
        websocket.add(JSON.stringify({ type: 'room_joined', roomId, members, memberCount: members.length }));
        // Notify the other room members
        await emitToRoom(
          roomId,
          JSON.stringify({ type: 'user_joined', userId: id, memberCount: members.length }),
          { exclude: id },
        );
      },
    },
  );

  // Room information
  route.get('/api/rooms/:roomId').handle(async (ctx) => {
    const roomId = ctx.pathParameters.roomId!;
    const members = await getRoomMembers(roomId);
    return { roomId, members, memberCount: members.length };
  });

  // All room members (the "Room management" variant of the same answer)
  route.get('/api/rooms/:roomId/members').handle(async (ctx) => {
    const roomId = ctx.pathParameters.roomId!;
    const members = await getRoomMembers(roomId);
    return { roomId, members, count: members.length };
  });

  // Move a user between rooms: {"from": "lobby", "to": "games"} ("from" is optional)
  route.post('/api/users/:userId/move-room').handle(async (ctx) => {
    const userId = ctx.pathParameters.userId!;
    const body = await ctx.jsonMap();
    if (!(body instanceof BodyParseSuccess)) throw new BadRequestException();
    const { from, to } = body.value;
    if (typeof to !== 'string' || (from !== undefined && typeof from !== 'string')) {
      throw new BadRequestException({ message: '"to" (and "from" if given) must be room names' });
    }
    if (from !== undefined) await leaveRoom(userId, from);
    if (!(await joinRoom(userId, to))) throw new NotFoundException({ message: 'User not connected' });
    return { moved: true, from: from ?? null, to };
  });
}

export function start(options: ExampleOptions): Promise<ArcadeServer> {
  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
