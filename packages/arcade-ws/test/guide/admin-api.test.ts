import { type App, BadRequestException, BodyParseSuccess, NotFoundException } from '@arcade/core';
import { type TestClient, waitFor } from '@arcade/test-support';
import type { ConnectionInfo } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';

function describeConnection(conn: ConnectionInfo) {
  return {
    id: conn.id,
    serverInstanceId: conn.serverInstanceId,
    connectTime: conn.connectTime.toISOString(),
    rooms: [...conn.rooms],
    metadata: conn.metadata,
  };
}

// The guide's connection admin API, translated route by route.
function defineAdminRoutes(app: App): void {
  app.route.get('/ws').handleWebSocket(
    (_ctx, websocket, id) => {
      websocket.add(JSON.stringify({ type: 'hello', id }));
    },
    { onConnect: (_ctx, _websocket, id) => app.joinRoom(id, 'everyone').then(() => undefined) },
  );

  app.route.get('/api/ws/connections').handle(async () => {
    const connections = await app.getAllConnections();
    return {
      total: connections.length,
      local: await app.getLocalConnections(),
      connections: connections.map(describeConnection),
    };
  });

  app.route.put('/api/ws/connections/:id/metadata').handle(async (ctx) => {
    const connectionId = ctx.pathParameters.id!;
    const metadata = await ctx.jsonMap();
    if (!(metadata instanceof BodyParseSuccess)) throw new BadRequestException();
    await app.updateConnectionMetadata(connectionId, metadata.value);
    return { updated: true };
  });

  app.route.get('/api/ws/connections/:id').handle(async (ctx) => {
    const info = await app.getConnectionInfo(ctx.pathParameters.id!);
    if (info == null) throw new NotFoundException({ message: 'Connection not found' });
    return describeConnection(info);
  });

  app.route.get('/api/ws/server-info').handle(async () => ({
    serverInstanceId: app.serverInstanceId,
    localConnections: app.localConnectionIds.length,
    hasLocalConnections: app.hasLocalConnections,
    allConnections: (await app.getAllConnections()).length,
  }));

  app.route.post('/api/ws/broadcast-global').handle(async (ctx) => {
    const message = await ctx.jsonMap();
    if (!(message instanceof BodyParseSuccess)) throw new BadRequestException();
    const allConnections = await app.getAllConnections();
    for (const conn of allConnections) await app.emitToConnection(conn.id, message.value);
    return { sent: true, recipients: allConnections.length };
  });

  app.route.delete('/api/ws/connections/:id').handle(async (ctx) => {
    const connectionId = ctx.pathParameters.id!;
    const info = await app.getConnectionInfo(connectionId);
    if (info == null) throw new NotFoundException({ message: 'Connection not found' });
    if (info.serverInstanceId === app.serverInstanceId) {
      app.emitTo(connectionId, JSON.stringify({ type: 'disconnect', reason: 'Admin action' }));
    }
    return {
      connectionId,
      serverInstance: info.serverInstanceId,
      wasLocal: info.serverInstanceId === app.serverInstanceId,
    };
  });

  // Not in the guide: disconnect(id, code?, reason?) of docs/design.md.
  app.route.post('/api/ws/connections/:id/kick').handle(async (ctx) => ({
    disconnected: await app.disconnect(ctx.pathParameters.id!, 4000, 'kicked'),
  }));
}

async function open(server: TestServer): Promise<{ client: TestClient; id: string }> {
  const client = await server.connect('/ws', { headers: { 'user-agent': 'arcade-acceptance/1.0' } });
  const hello = await client.nextJson<{ id: string }>();
  return { client, id: hello.id };
}

type Described = ReturnType<typeof describeConnection>;

describe('guide: connection admin API', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer(defineAdminRoutes);
  });

  afterEach(() => server.close());

  it('lists every connection with its instance, connect time, rooms and initial metadata', async () => {
    const before = Date.now();
    const alice = await open(server);
    const bob = await open(server);
    const answer = await server.request('/api/ws/connections');
    expect(answer.status).toBe(200);
    const body = answer.json<{ total: number; local: unknown[]; connections: Described[] }>();
    expect(body.total).toBe(2);
    expect(body.local).toHaveLength(2);
    expect(body.connections.map((conn) => conn.id).sort()).toEqual([alice.id, bob.id].sort());
    for (const conn of body.connections) {
      expect(conn.serverInstanceId).toBe(server.app.serverInstanceId);
      expect(Date.parse(conn.connectTime)).toBeGreaterThanOrEqual(before - 1000);
      expect(conn.rooms).toEqual(['everyone']);
      expect(conn.metadata).toMatchObject({ userAgent: 'arcade-acceptance/1.0' });
      expect(String((conn.metadata as Record<string, unknown>).remoteAddress)).toContain('127.0.0.1');
    }
  });

  it('gives one connection by id, and 404 for an unknown one', async () => {
    const alice = await open(server);
    const found = await server.request(`/api/ws/connections/${alice.id}`);
    expect(found.status).toBe(200);
    expect(found.json<Described>()).toMatchObject({ id: alice.id, rooms: ['everyone'] });

    const missing = await server.request('/api/ws/connections/unknown-id');
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ error: { statusCode: 404, message: 'Connection not found' } });
  });

  it('merges metadata shallowly through PUT /api/ws/connections/:id/metadata', async () => {
    const alice = await open(server);
    const first = await server.request(`/api/ws/connections/${alice.id}/metadata`, {
      method: 'PUT',
      body: { username: 'alice', profile: { color: 'red', size: 1 } },
    });
    expect(first.json()).toEqual({ updated: true });
    await server.request(`/api/ws/connections/${alice.id}/metadata`, {
      method: 'PUT',
      body: { profile: { color: 'blue' } },
    });
    const info = await server.app.getConnectionInfo(alice.id);
    expect(info?.metadata).toMatchObject({
      userAgent: 'arcade-acceptance/1.0',
      username: 'alice',
      profile: { color: 'blue' },
    });
    expect((info?.metadata as { profile: object }).profile).toEqual({ color: 'blue' });
    expect(await server.app.updateConnectionMetadata('unknown-id', { a: 1 })).toBe(false);
  });

  it('reports the server instance and live connection counts', async () => {
    const empty = (await server.request('/api/ws/server-info')).json();
    expect(empty).toEqual({
      serverInstanceId: server.app.serverInstanceId,
      localConnections: 0,
      hasLocalConnections: false,
      allConnections: 0,
    });
    expect(server.app.serverInstanceId).toMatch(/^[A-Za-z0-9_-]{10,}$/);

    const alice = await open(server);
    await open(server);
    expect((await server.request('/api/ws/server-info')).json()).toMatchObject({
      localConnections: 2,
      hasLocalConnections: true,
      allConnections: 2,
    });

    await alice.client.close();
    await waitFor(() => server.app.localConnectionIds.length === 1, { description: 'the close to be seen' });
    expect((await server.request('/api/ws/server-info')).json()).toMatchObject({
      localConnections: 1,
      allConnections: 1,
    });
  });

  it('broadcasts a JSON body to every connection through emitToConnection', async () => {
    const alice = await open(server);
    const bob = await open(server);
    const answer = await server.request('/api/ws/broadcast-global', {
      method: 'POST',
      body: { notice: 'hi' },
    });
    expect(answer.json()).toEqual({ sent: true, recipients: 2 });
    expect(await alice.client.nextText()).toBe('{"notice":"hi"}');
    expect(await bob.client.nextText()).toBe('{"notice":"hi"}');
  });

  it('tells a local connection about its removal through DELETE, and 404 for an unknown one', async () => {
    const alice = await open(server);
    const answer = await server.request(`/api/ws/connections/${alice.id}`, { method: 'DELETE' });
    expect(answer.json()).toEqual({
      connectionId: alice.id,
      serverInstance: server.app.serverInstanceId,
      wasLocal: true,
    });
    expect(await alice.client.nextText()).toBe('{"type":"disconnect","reason":"Admin action"}');
    const missing = await server.request('/api/ws/connections/unknown-id', { method: 'DELETE' });
    expect(missing.status).toBe(404);
  });

  it('disconnects a connection with the given code and reason', async () => {
    const alice = await open(server);
    const answer = await server.request(`/api/ws/connections/${alice.id}/kick`, { method: 'POST' });
    expect(answer.json()).toEqual({ disconnected: true });
    expect(await alice.client.closed).toEqual({ code: 4000, reason: 'kicked' });
    await waitFor(async () => (await server.app.getConnectionInfo(alice.id)) === null, {
      description: 'the record to be removed',
    });
    const again = await server.request(`/api/ws/connections/${alice.id}/kick`, { method: 'POST' });
    expect(again.json()).toEqual({ disconnected: false });
  });
});
