import { waitFor } from '@arcade/test-support';
import { start } from '../src/connection-admin';
import { type RunningExample, useExample } from './support/example';

interface Described {
  id: string;
  serverInstanceId: string;
  connectTime: string;
  rooms: string[];
  metadata: Record<string, unknown>;
}

const userAgent = { headers: { 'user-agent': 'examples-test/1.0' } };

async function connect(example: RunningExample) {
  const welcome = await example.connectFor<{ type: 'welcome'; id: string }>('/ws', 'welcome', userAgent);
  return { client: welcome.client, id: welcome.first.id };
}

describe('connection-admin', () => {
  const example = useExample(start);

  it('lists every connection with its instance, connect time, rooms and metadata', async () => {
    const alice = await connect(example());
    const bob = await connect(example());
    const body = (await example().request('/api/ws/connections')).json<{
      total: number;
      local: Described[];
      connections: Described[];
    }>();
    expect(body.total).toBe(2);
    expect(body.local.map((conn) => conn.id).sort()).toEqual([alice.id, bob.id].sort());
    expect(body.connections.map((conn) => conn.id).sort()).toEqual([alice.id, bob.id].sort());
    for (const conn of body.connections) {
      expect(Number.isNaN(Date.parse(conn.connectTime))).toBe(false);
      expect(conn.rooms).toEqual([]);
      expect(conn.metadata).toMatchObject({ userAgent: 'examples-test/1.0' });
    }
  });

  it('reads one connection, merges metadata into it, and answers 404 for unknown ids', async () => {
    const alice = await connect(example());
    const url = `/api/ws/connections/${alice.id}`;
    const put = (body: unknown) => example().request(`${url}/metadata`, { method: 'PUT', body });
    expect((await put({ username: 'alice' })).json()).toEqual({ updated: true });
    await put({ theme: 'dark' });
    const info = (await example().request(url)).json<Described>();
    expect(info).toMatchObject({ id: alice.id, metadata: { username: 'alice', theme: 'dark' } });

    expect((await example().request('/api/ws/connections/nobody')).status).toBe(404);
    const unknownPut = await example().request('/api/ws/connections/nobody/metadata', {
      method: 'PUT',
      body: { a: 1 },
    });
    expect(unknownPut.status).toBe(404);
  });

  it('reports the server instance and its connection counts', async () => {
    const before = (await example().request('/api/ws/server-info')).json<{ serverInstanceId: string }>();
    expect(before).toEqual({
      serverInstanceId: expect.any(String),
      localConnections: 0,
      hasLocalConnections: false,
      allConnections: 0,
    });
    await connect(example());
    expect((await example().request('/api/ws/server-info')).json()).toEqual({
      serverInstanceId: before.serverInstanceId,
      localConnections: 1,
      hasLocalConnections: true,
      allConnections: 1,
    });
  });

  it('broadcasts a JSON body to every connection', async () => {
    const alice = await connect(example());
    const bob = await connect(example());
    const answer = await example().post('/api/ws/broadcast-global', { notice: 'hi' });
    expect(answer.json()).toEqual({ sent: true, recipients: 2 });
    expect(await alice.client.nextText()).toBe('{"notice":"hi"}');
    expect(await bob.client.nextText()).toBe('{"notice":"hi"}');
  });

  it('disconnects a client after telling it why', async () => {
    const alice = await connect(example());
    const answer = await example().request(`/api/ws/connections/${alice.id}`, { method: 'DELETE' });
    expect(answer.json()).toEqual({
      connectionId: alice.id,
      serverInstance: expect.any(String),
      wasLocal: true,
    });
    expect(await alice.client.nextJson()).toEqual({ type: 'disconnect', reason: 'Admin action' });
    expect(await alice.client.closed).toEqual({ code: 1000, reason: 'Admin action' });
    await waitFor(
      async () =>
        (await example().request(`/api/ws/connections/${alice.id}`, { method: 'DELETE' })).status === 404,
      { description: 'the closed connection to be unknown' },
    );
  });
});
