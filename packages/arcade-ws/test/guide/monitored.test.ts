import type { App } from '@arcade/core';
import { waitFor } from '@arcade/test-support';
import { type ConnectionInfo, WebSocketManager } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';

interface Metrics {
  startTime: Date;
  messageCount: number;
}

interface AfterCall {
  id: string;
  data: Metrics | undefined;
  info: ConnectionInfo | null;
  roomMembers: string[];
}

// The guide's monitored sample: metrics in connection data, read back in an after hook.
function defineMonitoredRoutes(app: App, afterCalls: AfterCall[]): void {
  const manager = WebSocketManager.of(app);
  app.route
    .get('/ws/monitored')
    .handleWebSocket(
      (_ctx, websocket, id) => {
        const metrics: Metrics = { startTime: new Date(), messageCount: 0 };
        websocket.listen(() => {
          metrics.messageCount++;
          websocket.add(`count ${metrics.messageCount}`);
        });
        manager.setConnectionData(id, metrics);
      },
      { onConnect: (_ctx, _websocket, id) => app.joinRoom(id, 'monitored').then(() => undefined) },
    )
    .after(async (ctx, result, id) => {
      const data = manager.getConnectionData(id) as Metrics | undefined;
      afterCalls.push({
        id,
        data,
        info: await app.getConnectionInfo(id),
        roomMembers: await app.getRoomMembers('monitored'),
      });
      if (data) {
        app.logger.info('WebSocket closed', {
          connectionId: id,
          duration: Math.floor((Date.now() - data.startTime.getTime()) / 1000),
          messages: data.messageCount,
        });
      }
      return [ctx, result, id];
    });
}

describe('guide: after hooks on a monitored WebSocket', () => {
  let server: TestServer;
  let afterCalls: AfterCall[];

  beforeEach(async () => {
    afterCalls = [];
    server = await startServer((app) => defineMonitoredRoutes(app, afterCalls));
  });

  afterEach(() => server.close());

  it('runs the after hook once after close, with the connection data still readable', async () => {
    const client = await server.connect('/ws/monitored');
    for (const text of ['a', 'b', 'c']) await client.send(text);
    await client.nextText('count 3');
    const [id] = WebSocketManager.of(server.app).getConnectedIds();
    expect(afterCalls).toEqual([]);

    await client.close();
    await waitFor(() => afterCalls.length > 0, { description: 'the after hook' });
    const [call] = afterCalls;
    expect(call?.id).toBe(id);
    expect(call?.data?.messageCount).toBe(3);
    expect(call?.data?.startTime).toBeInstanceOf(Date);
    // By then the connection has left its rooms and its record is gone.
    expect(call?.info).toBeNull();
    expect(call?.roomMembers).toEqual([]);
    const logged = server.logger.entries.find((entry) => entry.message === 'WebSocket closed');
    expect(logged?.fields).toMatchObject({ connectionId: id, messages: 3 });

    // Local data is dropped after the hooks ran.
    await waitFor(() => WebSocketManager.of(server.app).getConnectionData(id!) === undefined, {
      description: 'the connection data to be dropped',
    });

    // A second connection's close does not run the first one's hook again.
    const second = await server.connect('/ws/monitored');
    await second.close();
    await waitFor(() => afterCalls.length === 2, { description: 'the second after hook' });
    expect(afterCalls.map((entry) => entry.id).filter((entry) => entry === id)).toHaveLength(1);
  });

  it('runs the after hook when the server closes the connection', async () => {
    const client = await server.connect('/ws/monitored');
    await client.send('x');
    await client.nextText('count 1');
    await server.server.close();
    expect((await client.closed).code).toBe(1001);
    await waitFor(() => afterCalls.length === 1, { description: 'the after hook on shutdown' });
    expect(afterCalls[0]?.data?.messageCount).toBe(1);
  });
});
