// Guide: "Basic WebSocket echo server" — a welcome naming the connection id, then every message
// echoed back.
// Run: node examples/dist/echo.js, then connect to ws://localhost:3000/ws
import { type ArcadeServer, defaultApp } from '@arcade/core';
import { route, runServer } from '@arcade/ws';
import { type ExampleOptions, runFromCommandLine } from './run-example';

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  route.get('/ws').handleWebSocket((_ctx, websocket, id) => {
    const log = defaultApp.logger; // the guide's print(): the server's logger
    // Send welcome message
    websocket.add(`Welcome! Your ID is ${id}`);
    // Echo messages back (text as text, bytes as bytes)
    websocket.listen(
      (message) => {
        log.info(`Received from ${id}`, { message: String(message) });
        websocket.add(typeof message === 'string' ? `Echo: ${message}` : message);
      },
      {
        onDone: () => log.info(`Client ${id} disconnected`),
        onError: (error) => log.warn(`Error from ${id}`, { error: String(error) }),
      },
    );
  });
}

export function start(options: ExampleOptions): Promise<ArcadeServer> {
  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
