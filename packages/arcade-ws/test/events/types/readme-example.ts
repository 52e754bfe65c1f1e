// The "Typed events" sample of README.md, compiled by test/events/types.test.ts so that it stays true
// (keep the two in step). Nothing here runs.
import { UnauthorizedException } from '@arcade/core';
import {
  EventError,
  type EventsMap,
  eventEmitter,
  getConnectionInfo,
  getRoomHistory,
  route,
  runServer,
} from '@arcade/ws';
import { z } from 'zod';

// chat-events.ts: imported by the server and by the browser code.
export interface Line {
  user: string;
  text: string;
}
export interface ChatEvents extends EventsMap {
  toServer: {
    say: { room: string; text: string }; // an event: a payload, no reply
    history: (query: { room: string }) => Line[]; // a request: (payload) => reply
  };
  toClient: { line: Line };
}

// server.ts
const chat = eventEmitter<ChatEvents>();

void runServer({
  port: 3000,
  init: () => {
    route.get('/chat').handleEvents<ChatEvents>({
      events: {
        say: async ({ room, text }, socket) => {
          if (!(await getConnectionInfo(socket.id))?.rooms.has(room)) {
            throw new EventError('NOT_IN_ROOM', `Join ${room} before you speak there`);
          }
          const user = socket.ctx.queryParameters.name ?? 'anonymous';
          await chat.toRoom(room, { history: true }).emit('line', { user, text });
        },
        history: async ({ room }) => {
          const { messages } = await getRoomHistory(room, { limit: 50 });
          // Each message is kept exactly as emitted: here the text {"event":"line","data":{...}}.
          return messages.map(({ message }) => (JSON.parse(String(message)) as { data: Line }).data);
        },
      },
      schemas: {
        say: z.object({ room: z.string(), text: z.string().trim().min(1).max(500) }),
        history: z.object({ room: z.string() }),
      },
      authorizeJoin: (room) => room.startsWith('public:'),
      onConnect: (socket) => {
        if (!socket.ctx.queryParameters.name) throw new UnauthorizedException(); // closes with 4401
      },
    });
  },
});
