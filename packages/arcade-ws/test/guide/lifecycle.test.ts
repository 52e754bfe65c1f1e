import type { Socket } from 'node:net';
import type { App } from '@arcade/core';
import { waitFor } from '@arcade/test-support';
import type { ConnectionInfo } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';

interface Observed {
  infoInOnConnect: ConnectionInfo | null;
  listedInOnConnect: boolean;
  order: string[];
}

/** A promise with its resolve function, to hold onConnect until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open: () => open() };
}

function defineRoutes(
  app: App,
  observed: Observed,
  held: { promise: Promise<void> },
  received: string[],
): void {
  app.route.get('/ws').handleWebSocket(
    (_ctx, websocket) => {
      observed.order.push('handler');
      websocket.listen((data) => {
        received.push(String(data));
        if (received.length === 3) websocket.add(received.join(','));
      });
    },
    {
      onConnect: async (_ctx, websocket, id) => {
        observed.order.push('onConnect');
        observed.infoInOnConnect = await app.getConnectionInfo(id);
        observed.listedInOnConnect = (await app.getAllConnections()).some((info) => info.id === id);
        websocket.add('connected');
        await held.promise;
      },
    },
  );
}

describe('connection lifecycle', () => {
  let server: TestServer;
  let observed: Observed;
  let held: ReturnType<typeof gate>;
  let received: string[];

  beforeEach(async () => {
    observed = { infoInOnConnect: null, listedInOnConnect: false, order: [] };
    held = gate();
    received = [];
    server = await startServer((app) => defineRoutes(app, observed, held, received));
  });

  afterEach(() => server.close());

  it('registers the connection before onConnect, awaits onConnect, then calls the handler', async () => {
    const client = await server.connect('/ws');
    await client.nextText('connected');
    expect(observed.infoInOnConnect?.serverInstanceId).toBe(server.app.serverInstanceId);
    expect(observed.listedInOnConnect).toBe(true);
    expect(observed.order).toEqual(['onConnect']);
    held.open();
    await client.send('a');
    await client.send('b');
    await client.send('c');
    expect(await client.nextText()).toBe('a,b,c');
    expect(observed.order).toEqual(['onConnect', 'handler']);
  });

  it('buffers frames that arrive before listen is called and delivers them in order', async () => {
    const sockets: Socket[] = [];
    server.server.httpServer.on('connection', (socket: Socket) => sockets.push(socket));
    const client = await server.connect('/ws');
    await client.nextText('connected');
    const [socket] = sockets;
    const readBefore = socket!.bytesRead;
    // onConnect is still held, so the handler has not called listen yet.
    await client.send('1');
    await client.send('2');
    await client.send('3');
    // Three masked one-byte text frames of 7 bytes each have reached the server.
    await waitFor(() => socket!.bytesRead >= readBefore + 21, {
      description: 'the server to read the frames',
    });
    expect(received).toEqual([]);
    held.open();
    expect(await client.nextText()).toBe('1,2,3');
  });
});
