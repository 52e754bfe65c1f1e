import type { App } from '@arcade/core';
import { type Scrape, scrape, type TestClient, waitFor } from '@arcade/test-support';
import { WebSocketManager } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';

// The WebSocket metrics of one instance (in-memory storage), after a known workload, read the way
// Prometheus reads them: over HTTP, parsed as the text format.
function defineRoutes(app: App): void {
  app.route
    .get('/ws/echo')
    .handleWebSocket((_ctx, websocket) => websocket.listen((data) => websocket.add(data)));
  app.route.get('/ws/limited').handleWebSocket((_ctx, websocket) => websocket.listen(() => {}), {
    rateLimit: { messages: 2, perMs: 3_600_000, onExceed: 'drop' },
  });
  app.route
    .get('/ws/slow')
    .handleWebSocket((_ctx, websocket) => websocket.listen(() => {}), { maxBufferedBytes: 1024 });
  app.route.get('/api/items/:id').handle(() => 'item');
}

/** The id of the connection that opened last on `app`. */
function newestId(app: App, before: readonly string[]): string {
  const id = app.localConnectionIds.find((candidate) => !before.includes(candidate));
  if (id === undefined) throw new Error('no new connection');
  return id;
}

async function connect(server: TestServer, path: string): Promise<{ client: TestClient; id: string }> {
  const before = server.app.localConnectionIds;
  const client = await server.connect(path);
  return { client, id: newestId(server.app, before) };
}

describe('WebSocket metrics', () => {
  let server: TestServer;
  const metrics = (): Promise<Scrape> => scrape(`${server.url}/metrics`);

  beforeEach(async () => {
    server = await startServer(defineRoutes, { serverOptions: { metrics: {} } });
  });

  afterEach(() => server.close());

  it('count connections, messages and bytes both ways, rooms, members and emits by kind', async () => {
    const a = await connect(server, '/ws/echo');
    const b = await connect(server, '/ws/echo');
    await a.client.send('hello');
    await a.client.send(Uint8Array.of(1, 2, 3));
    expect(await a.client.nextText()).toBe('hello');
    expect((await a.client.next()).data).toEqual(Buffer.from([1, 2, 3]));

    const { app } = server;
    await app.joinRoom(a.id, 'room-alpha');
    await app.joinRoom(b.id, 'room-alpha');
    await app.joinRoom(a.id, 'room-beta');
    await app.emitToRoom('room-alpha', 'to r1');
    await app.emitToRoom('room-beta', { kept: true }, { history: true });
    await app.emitToAll('everyone');
    await app.emitToConnection(b.id, 'just b');
    app.emitTo(a.id, 'local a');
    await a.client.nextText('local a');
    await b.client.nextText('just b');

    const scraped = await metrics();
    expect(scraped.value('arcade_ws_connections')).toBe(2);
    expect(scraped.value('arcade_ws_connects_total')).toBe(2);
    expect(scraped.value('arcade_ws_rooms')).toBe(2);
    expect(scraped.value('arcade_ws_room_members')).toBe(3);
    for (const kind of ['room', 'history', 'all', 'connection', 'local']) {
      expect({ kind, emits: scraped.value('arcade_ws_emits_total', { kind }) }).toEqual({ kind, emits: 1 });
    }
    expect(scraped.value('arcade_ws_messages_total', { direction: 'in' })).toBe(2);
    expect(scraped.value('arcade_ws_message_bytes_total', { direction: 'in' })).toBe(8);
    const frames = [...a.client.history, ...b.client.history];
    expect(scraped.value('arcade_ws_messages_total', { direction: 'out' })).toBe(frames.length);
    expect(scraped.value('arcade_ws_message_bytes_total', { direction: 'out' })).toBe(
      frames.reduce((sum, frame) => sum + frame.data.length, 0),
    );
    expect(scraped.families.get('arcade_ws_messages_total')?.type).toBe('counter');
    expect(scraped.families.get('arcade_ws_connections')?.type).toBe('gauge');
    // Bounded labels: no room name, connection id or raw path appears anywhere.
    expect(scraped.answer.text).not.toMatch(/room-alpha|room-beta|"\/ws\/echo"/);
    expect(scraped.answer.text).not.toContain(a.id);
  });

  it('count disconnects by close code, rate-limited messages and slow-consumer closes', async () => {
    const limited = await connect(server, '/ws/limited');
    for (let index = 0; index < 5; index++) await limited.client.send(`m${index}`);
    await waitFor(
      async () => (await metrics()).value('arcade_ws_messages_total', { direction: 'in' }) === 5,
      {
        description: 'the five messages counted',
      },
    );
    expect((await metrics()).value('arcade_ws_rate_limited_messages_total')).toBe(3);

    const slow = await connect(server, '/ws/slow');
    expect(server.app.emitTo(slow.id, 'x'.repeat(2000))).toBe(false);
    expect((await slow.client.closed).code).toBe(1013);

    const echo = await connect(server, '/ws/echo');
    await echo.client.close(4001, 'bye');
    await limited.client.terminate();

    await waitFor(async () => (await metrics()).value('arcade_ws_connections') === 0, {
      description: 'every connection closed',
    });
    const scraped = await metrics();
    expect(scraped.value('arcade_ws_slow_consumer_closes_total')).toBe(1);
    expect(scraped.value('arcade_ws_disconnects_total', { code: '1013' })).toBe(1);
    expect(scraped.value('arcade_ws_disconnects_total', { code: '4001' })).toBe(1);
    expect(scraped.value('arcade_ws_disconnects_total', { code: '1006' })).toBe(1);
    expect(scraped.value('arcade_ws_connects_total')).toBe(3);
  });

  it('count HTTP requests of the same server by route pattern, and serve the private-store storage as reachable', async () => {
    expect((await server.request('/api/items/7')).status).toBe(200);
    const scraped = await metrics();
    expect(scraped.value('arcade_http_requests_total', { route: '/api/items/:id', status: '200' })).toBe(1);
    expect(scraped.value('arcade_ws_storage_reachable')).toBe(1);
    expect(scraped.value('arcade_ws_storage_outages_total')).toBe(0);
  });
});

describe('without the metrics option', () => {
  it('the transport holds no metrics and nothing is registered', async () => {
    const server = await startServer(defineRoutes);
    try {
      const { client } = await connect(server, '/ws/echo');
      await client.send('hi');
      expect(await client.nextText()).toBe('hi');
      expect(WebSocketManager.of(server.app).transport.metrics).toBeUndefined();
      expect(server.app.metrics).toBeUndefined();
      expect((await server.request('/metrics')).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
