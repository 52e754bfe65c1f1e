// Guide: "Connection management" — an HTTP admin API over the connection registry: list connections,
// read one, update its metadata, server info, a broadcast through emitToConnection, and disconnect.
// With Redis storage (see storage-redis.ts) every answer covers all the instances.
// Run: node examples/dist/connection-admin.js, connect clients to ws://localhost:3000/ws, then
//      curl localhost:3000/api/ws/connections     curl localhost:3000/api/ws/server-info
//      curl -X PUT localhost:3000/api/ws/connections/<id>/metadata -H 'content-type: application/json' -d '{"username":"ada"}'
//      curl -X DELETE localhost:3000/api/ws/connections/<id>
import {
  type ArcadeServer,
  BadRequestException,
  BodyParseSuccess,
  NotFoundException,
  type RequestContext,
} from '@arcade/core';
// serverInstanceId, localConnectionIds and hasLocalConnections are live values here (CommonJS); from
// an ES module, read them on the default import instead (see the @arcade/ws README).
import {
  disconnect,
  emitTo,
  emitToConnection,
  getAllConnections,
  getConnectionInfo,
  getLocalConnections,
  hasLocalConnections,
  localConnectionIds,
  route,
  runServer,
  serverInstanceId,
  updateConnectionMetadata,
} from '@arcade/ws';
import { type ExampleOptions, runFromCommandLine } from './run-example';

async function jsonBody(ctx: RequestContext): Promise<Record<string, unknown>> {
  const body = await ctx.jsonMap();
  if (!(body instanceof BodyParseSuccess)) throw new BadRequestException();
  return body.value;
}

/** The sample's routes: what goes in `init`. */
export function defineRoutes(): void {
  // The connections being administered (the guide's sample assumes some).
  route.get('/ws').handleWebSocket((_ctx, websocket, id) => {
    websocket.add(JSON.stringify({ type: 'welcome', id }));
  });

  // Detailed connection information
  route.get('/api/ws/connections').handle(async () => {
    const connections = await getAllConnections();
    // A ConnectionInfo turns into JSON as the guide maps it by hand: { id, serverInstanceId,
    // connectTime (ISO string), rooms (array), metadata }.
    return { total: connections.length, local: await getLocalConnections(), connections };
  });

  // Update connection metadata (a shallow merge)
  route.put('/api/ws/connections/:id/metadata').handle(async (ctx) => {
    const metadata = await jsonBody(ctx);
    const updated = await updateConnectionMetadata(ctx.pathParameters.id!, metadata);
    if (!updated) throw new NotFoundException({ message: 'Connection not found' });
    return { updated };
  });

  // One connection
  route.get('/api/ws/connections/:id').handle(async (ctx) => {
    const info = await getConnectionInfo(ctx.pathParameters.id!);
    if (info === null) throw new NotFoundException({ message: 'Connection not found' });
    return info;
  });

  // Server instance information
  route.get('/api/ws/server-info').handle(async () => ({
    serverInstanceId,
    localConnections: localConnectionIds.length,
    hasLocalConnections,
    allConnections: (await getAllConnections()).length,
  }));

  // Broadcast to every connection of every server instance
  route.post('/api/ws/broadcast-global').handle(async (ctx) => {
    const message = await jsonBody(ctx);
    const allConnections = await getAllConnections();
    for (const conn of allConnections) await emitToConnection(conn.id, message);
    return { sent: true, recipients: allConnections.length };
  });

  // Disconnect a client: tell it why (when it is on this instance, as in the guide), then close it
  route.delete('/api/ws/connections/:id').handle(async (ctx) => {
    const connectionId = ctx.pathParameters.id!;
    const info = await getConnectionInfo(connectionId);
    if (info === null) throw new NotFoundException({ message: 'Connection not found' });
    const wasLocal = info.serverInstanceId === serverInstanceId;
    if (wasLocal) emitTo(connectionId, JSON.stringify({ type: 'disconnect', reason: 'Admin action' }));
    await disconnect(connectionId, 1000, 'Admin action'); // works on any instance
    return { connectionId, serverInstance: info.serverInstanceId, wasLocal };
  });
}

export function start(options: ExampleOptions): Promise<ArcadeServer> {
  return runServer({ ...options, init: defineRoutes });
}

if (require.main === module) runFromCommandLine(start);
