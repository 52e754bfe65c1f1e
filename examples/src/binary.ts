// Guide: "Binary data" — text frames answered with text, binary frames echoed as the same bytes, and
// five bytes sent to every new client.
// Run: node examples/dist/binary.js, then connect to ws://localhost:3000/ws/binary
import { type ArcadeServer, defaultApp } from '@arcade/core';
import { route, runServer } from '@arcade/ws';
import { type ExampleOptions, runFromCommandLine } from './run-example';

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  route.get('/ws/binary').handleWebSocket((_ctx, websocket, id) => {
    websocket.listen((data) => {
      if (typeof data === 'string') {
        // Text message
        websocket.add(`Received text: ${data}`);
      } else {
        // Binary data (a Uint8Array): echo it back as a binary frame
        defaultApp.logger.info(`Received ${data.length} bytes from ${id}`);
        websocket.add(data);
      }
    });
    // Send binary data to the client
    websocket.add(new Uint8Array([1, 2, 3, 4, 5]));
  });
}

export function start(options: ExampleOptions): Promise<ArcadeServer> {
  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
