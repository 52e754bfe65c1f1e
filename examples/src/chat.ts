// Guide: "Using onConnect" — a chat where every message goes to every client: onConnect announces
// the newcomer to everyone and sends it the list of connected users.
// Run: node examples/dist/chat.js, then connect several clients to ws://localhost:3000/ws/chat
import { type ArcadeServer, defaultApp } from '@arcade/core';
import { emitToAll, route, runServer, WebSocketManager } from '@arcade/ws';
import { type ExampleOptions, runFromCommandLine } from './run-example';

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  route.get('/ws/chat').handleWebSocket(
    (_ctx, websocket, id) => {
      // Main message handler: broadcast to all connected clients as {"event":"chat","data":{...}}
      websocket.listen(async (message) => {
        if (typeof message !== 'string') return;
        await emitToAll('chat', { from: id, message, timestamp: new Date().toISOString() });
      });
    },
    {
      // Called when the connection is established, before the handler
      onConnect: async (_ctx, websocket, id) => {
        defaultApp.logger.info(`New connection: ${id}`);
        // Notify everyone (the newcomer included) about the new user
        await emitToAll('user-joined', { userId: id });
        // Send the current users list to the new client
        const users = WebSocketManager.getConnectedIds();
        websocket.add(JSON.stringify({ type: 'users-list', users }));
      },
    },
  );
}

export function start(options: ExampleOptions): Promise<ArcadeServer> {
  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
