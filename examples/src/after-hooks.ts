// Guide: "After hooks" — a monitored WebSocket: metrics kept in the connection data, logged by an
// after hook once the connection has closed.
// Run: node examples/dist/after-hooks.js, connect to ws://localhost:3000/ws/monitored, send a few
//      messages and disconnect: the server logs "WebSocket closed" with the duration and count.
import { type ArcadeServer, defaultApp } from '@arcade/core';
import { route, runServer, WebSocketManager } from '@arcade/ws';
import { type ExampleOptions, runFromCommandLine } from './run-example';

interface ConnectionMetrics {
  readonly startTime: Date;
  messageCount: number;
}

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  route
    .get('/ws/monitored')
    .handleWebSocket((_ctx, websocket, id) => {
      // One object, updated in place: the after hook reads the final count.
      const metrics: ConnectionMetrics = { startTime: new Date(), messageCount: 0 };
      WebSocketManager.setConnectionData(id, metrics);
      websocket.listen(() => {
        metrics.messageCount++;
        // Handle message
      });
    })
    .after((ctx, result, id) => {
      // Called once, after the WebSocket closed; the connection data is still readable here
      const data = WebSocketManager.getConnectionData(id) as ConnectionMetrics | undefined;
      if (data !== undefined) {
        defaultApp.logger.info('WebSocket closed', {
          connectionId: id,
          duration: Math.round((Date.now() - data.startTime.getTime()) / 1000),
          messages: data.messageCount,
        });
      }
      return [ctx, result, id];
    });
}

export function start(options: ExampleOptions): Promise<ArcadeServer> {
  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
