// The routes the three storage examples serve ("Your WebSocket routes with room support..." in the
// guide): each text message sent on /ws/rooms/<room> reaches every member of that room, and
// GET /api/rooms/<room> lists the members. Whichever storage is set up, they work the same.
import { emitToRoom, getRoomMembers, joinRoom, route } from '@arcade/ws';

export function defineRoomRelay(): void {
  route.get('/ws/rooms/:roomId').handleWebSocket(
    (ctx, websocket, id) => {
      const roomId = ctx.pathParameters.roomId!;
      websocket.listen(async (data) => {
        if (typeof data !== 'string') return;
        await emitToRoom(roomId, JSON.stringify({ type: 'message', from: id, message: data }));
      });
    },
    {
      onConnect: async (ctx, websocket, id) => {
        const roomId = ctx.pathParameters.roomId!;
        await joinRoom(id, roomId);
        websocket.add(JSON.stringify({ type: 'joined', id, roomId }));
      },
    },
  );

  route.get('/api/rooms/:roomId').handle(async (ctx) => {
    const roomId = ctx.pathParameters.roomId!;
    return { roomId, members: await getRoomMembers(roomId) };
  });
}
