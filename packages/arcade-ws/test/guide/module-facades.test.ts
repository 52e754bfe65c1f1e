import type { ArcadeServer } from '@arcade/core';
import { RecordingLogger, TestClient, waitFor } from '@arcade/test-support';
import * as ws from '@arcade/ws';
import {
  emitToAll,
  emitToRoom,
  getAllConnections,
  getRoomMembers,
  initializeWebSocketStorage,
  joinRoom,
  route,
  runServer,
  WebSocketManager,
} from '@arcade/ws';

// The guide's own style: module-level route/runServer and functions over the default app.
describe('module-level facades over the default app', () => {
  let server: ArcadeServer;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    // The guide's first sample: memory storage initialized before the server starts.
    await initializeWebSocketStorage();
    server = await runServer({
      port: 0,
      host: '127.0.0.1',
      logger: new RecordingLogger(),
      init: () => {
        route.get('/ws/chat/:roomId').handleWebSocket(
          (ctx, websocket, id) => {
            websocket.listen(async (data) => {
              await emitToRoom(ctx.pathParameters.roomId!, `${id}: ${String(data)}`);
            });
          },
          {
            onConnect: async (ctx, websocket, id) => {
              await joinRoom(id, ctx.pathParameters.roomId!);
              websocket.add(JSON.stringify({ id, users: WebSocketManager.getConnectedIds() }));
            },
          },
        );
      },
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
    // A later dispose is a harmless no-op.
    await ws.disposeWebSocketStorage();
  });

  async function open(room: string): Promise<{ client: TestClient; id: string }> {
    const client = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws/chat/${room}`);
    clients.push(client);
    const { id } = await client.nextJson<{ id: string }>();
    return { client, id };
  }

  it('exposes live serverInstanceId, localConnectionIds and hasLocalConnections', async () => {
    expect(typeof ws.serverInstanceId).toBe('string');
    expect(ws.serverInstanceId.length).toBeGreaterThan(0);
    expect(ws.localConnectionIds).toEqual([]);
    expect(ws.hasLocalConnections).toBe(false);

    const alice = await open('lobby');
    expect(ws.localConnectionIds).toEqual([alice.id]);
    expect(ws.hasLocalConnections).toBe(true);
    expect(WebSocketManager.getConnectedIds()).toEqual([alice.id]);

    await alice.client.close();
    await waitFor(() => ws.localConnectionIds.length === 0, { description: 'the live list to empty' });
    expect(ws.hasLocalConnections).toBe(false);
  });

  it('runs the room chat with the module-level functions', async () => {
    const alice = await open('lobby');
    const bob = await open('lobby');
    expect([...(await getRoomMembers('lobby'))].sort()).toEqual([alice.id, bob.id].sort());
    expect((await getAllConnections()).map((info) => info.serverInstanceId)).toEqual([
      ws.serverInstanceId,
      ws.serverInstanceId,
    ]);
    await bob.client.send('hello');
    expect(await alice.client.nextText()).toBe(`${bob.id}: hello`);
    expect(await bob.client.nextText()).toBe(`${bob.id}: hello`);
    await emitToAll('news', 1);
    expect(await alice.client.nextText()).toBe('{"event":"news","data":1}');
  });

  it('keeps connection data through the static WebSocketManager facades', async () => {
    const alice = await open('data');
    WebSocketManager.setConnectionData(alice.id, { score: 7 });
    expect(WebSocketManager.getConnectionData(alice.id)).toEqual({ score: 7 });
  });
});
