// server.ts (Node)
import { eventEmitter, getRoomMembers, route, runServer } from '@arcade/ws';
import type { ChatEvents } from './chat-events';
const chat = eventEmitter<ChatEvents>();
void runServer({
  port: 3000,
  init: () => {
    route.get('/chat').handleEvents<ChatEvents>({
      events: {
        say: async ({ room, text }, socket) => {
          const user = socket.ctx.queryParameters.name ?? 'anonymous';
          await chat.toRoom(room, { history: true }).emit('line', { user, text });
        },
        members: async ({ room }) => (await getRoomMembers(room)).length,
      },
      authorizeJoin: (room) => room.startsWith('public:'),
    });
  },
});
