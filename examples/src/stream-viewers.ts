// Guide: "Stream viewers" — viewers of /ws/stream/:streamId share the room `stream:<id>`: chat and
// reactions reach every viewer, and each newcomer updates the viewer count.
// Run: node examples/dist/stream-viewers.js, connect viewers to ws://localhost:3000/ws/stream/42 and send
//      {"type":"chat","username":"ada","text":"hi"} or {"type":"reaction","reaction":"🎉"}
import type { ArcadeServer } from '@arcade/core';
import { emitToRoom, getRoomMembers, joinRoom, route, runServer } from '@arcade/ws';
import { parseClientMessage, stringField } from './client-message';
import { type ExampleOptions, runFromCommandLine } from './run-example';

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  route.get('/ws/stream/:streamId').handleWebSocket(
    (ctx, websocket, id) => {
      const room = `stream:${ctx.pathParameters.streamId!}`;
      const toViewers = (event: object) => emitToRoom(room, JSON.stringify(event));
      websocket.listen(async (data) => {
        const message = parseClientMessage(data);
        const text = stringField(message, 'text');
        const reaction = stringField(message, 'reaction');
        if (message.type === 'chat' && text !== undefined) {
          // Broadcast chat to all viewers
          const from = stringField(message, 'username') ?? 'anonymous';
          await toViewers({ type: 'stream_chat', from, message: text, timestamp: new Date().toISOString() });
        } else if (message.type === 'reaction' && reaction !== undefined) {
          // Send reactions to the streamer and the other viewers
          await toViewers({ type: 'viewer_reaction', reaction, from: id });
        }
      });
    },
    {
      onConnect: async (ctx, _websocket, id) => {
        const room = `stream:${ctx.pathParameters.streamId!}`;
        // Join the stream's room (room names may hold ':')
        await joinRoom(id, room);
        // Update the viewer count
        const viewers = await getRoomMembers(room);
        // Notify every viewer, the new one included, about the new viewer
        await emitToRoom(
          room,
          JSON.stringify({ type: 'viewer_update', viewerCount: viewers.length, newViewer: id }),
        );
      },
    },
  );
}

export function start(options: ExampleOptions): Promise<ArcadeServer> {
  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
