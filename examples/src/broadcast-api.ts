// Guide: "Broadcasting" — HTTP endpoints that push to WebSocket clients: POST /api/broadcast to
// everyone, POST /api/message/:userId to one connection.
// Run: node examples/dist/broadcast-api.js, connect clients to ws://localhost:3000/ws (each is told
//      its id), then:
//      curl -X POST localhost:3000/api/broadcast -H 'content-type: application/json' -d '{"message":"hi"}'
//      curl -X POST localhost:3000/api/message/<id> -H 'content-type: application/json' -d '{"text":"psst"}'
import { type ArcadeServer, BadRequestException, BodyParseSuccess, NotFoundException } from '@arcade/core';
import { emitTo, emitToAll, route, runServer, WebSocketManager } from '@arcade/ws';
import { type ExampleOptions, runFromCommandLine } from './run-example';

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  // The clients the endpoints reach (not in the guide's sample, which assumes one).
  route.get('/ws').handleWebSocket((_ctx, websocket, id) => {
    websocket.add(JSON.stringify({ type: 'welcome', id }));
  });

  // Broadcast to all connected clients
  route.post('/api/broadcast').handle(async (ctx) => {
    const result = await ctx.jsonMap();
    if (result instanceof BodyParseSuccess) {
      const message = result.value.message;
      // Send to all WebSocket clients
      await emitToAll('broadcast', { message, timestamp: new Date().toISOString() });
      return { sent: true, recipients: WebSocketManager.getConnectedIds().length };
    }
    throw new BadRequestException();
  });

  // Send to a specific client
  route.post('/api/message/:userId').handle(async (ctx) => {
    const userId = ctx.pathParameters.userId!;
    const result = await ctx.jsonMap();
    if (result instanceof BodyParseSuccess) {
      const sent = emitTo(userId, 'private-message', result.value);
      if (!sent) throw new NotFoundException({ message: 'User not connected' });
      return { sent: true };
    }
    throw new BadRequestException();
  });
}

export function start(options: ExampleOptions): Promise<ArcadeServer> {
  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
