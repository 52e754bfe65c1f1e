import { type App, BadRequestException, BodyParseSuccess, NotFoundException } from '@arcade/core';
import { type TestClient, waitFor } from '@arcade/test-support';
import { WebSocketManager } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';

interface EventFrame<T = Record<string, unknown>> {
  event: string;
  data: T;
}

// The guide's chat with onConnect, plus its broadcast and private-message HTTP APIs.
function defineChatRoutes(app: App): void {
  const manager = WebSocketManager.of(app);
  app.route.get('/ws/chat').handleWebSocket(
    (_ctx, websocket, id) => {
      websocket.listen((message) => {
        void app.emitToAll('chat', { from: id, message, timestamp: new Date().toISOString() });
      });
    },
    {
      onConnect: async (_ctx, websocket, id) => {
        await app.emitToAll('user-joined', { userId: id });
        const users = manager.getConnectedIds();
        websocket.add(JSON.stringify({ type: 'users-list', users }));
      },
    },
  );

  app.route.post('/api/broadcast').handle(async (ctx) => {
    const result = await ctx.jsonMap();
    if (result instanceof BodyParseSuccess) {
      const message = result.value.message;
      await app.emitToAll('broadcast', { message, timestamp: new Date().toISOString() });
      return { sent: true, recipients: manager.getConnectedIds().length };
    }
    throw new BadRequestException();
  });

  app.route.post('/api/message/:userId').handle(async (ctx) => {
    const userId = ctx.pathParameters.userId!;
    const result = await ctx.jsonMap();
    if (result instanceof BodyParseSuccess) {
      const sent = app.emitTo(userId, 'private-message', result.value);
      if (!sent) throw new NotFoundException({ message: 'User not connected' });
      return { sent: true };
    }
    throw new BadRequestException();
  });
}

/** Connects and reads the client's own id from the user-joined event it receives about itself. */
async function join(server: TestServer): Promise<{ client: TestClient; id: string; users: string[] }> {
  const client = await server.connect('/ws/chat');
  const list = await client.nextJson<{ type: string; users: string[] }>(
    (value) => value.type === 'users-list',
  );
  const joined = client.history
    .filter((frame) => !frame.isBinary)
    .map((frame) => JSON.parse(frame.text) as EventFrame<{ userId: string }>)
    .filter((value) => value.event === 'user-joined');
  const own = joined.at(-1);
  if (!own) throw new Error('no user-joined event arrived before the users list');
  return { client, id: own.data.userId, users: list.users };
}

describe('guide: chat broadcast with emitToAll', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer(defineChatRoutes);
  });

  afterEach(() => server.close());

  it('announces a new user to everyone and sends it the users list including itself', async () => {
    const alice = await join(server);
    expect(alice.users).toEqual([alice.id]);

    const bob = await join(server);
    expect([...bob.users].sort()).toEqual([alice.id, bob.id].sort());
    const seenByAlice = await alice.client.nextJson<EventFrame>(
      (value) => value.event === 'user-joined' && value.data.userId === bob.id,
    );
    expect(seenByAlice).toEqual({ event: 'user-joined', data: { userId: bob.id } });
  });

  it('broadcasts each chat message to every client as {event, data}', async () => {
    const alice = await join(server);
    const bob = await join(server);
    await alice.client.send('hi all');
    for (const receiver of [alice, bob]) {
      const frame = await receiver.client.nextJson<
        EventFrame<{ from: string; message: string; timestamp: string }>
      >((value) => value.event === 'chat');
      expect(frame.data.from).toBe(alice.id);
      expect(frame.data.message).toBe('hi all');
      expect(new Date(frame.data.timestamp).toISOString()).toBe(frame.data.timestamp);
      expect(Object.keys(frame)).toEqual(['event', 'data']);
    }
  });
});

describe('guide: broadcast and private-message HTTP APIs', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer(defineChatRoutes);
  });

  afterEach(() => server.close());

  it('POST /api/broadcast reaches every client and reports the recipients', async () => {
    const alice = await join(server);
    const bob = await join(server);
    const answer = await server.request('/api/broadcast', {
      method: 'POST',
      body: { message: 'maintenance' },
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ sent: true, recipients: 2 });
    for (const receiver of [alice, bob]) {
      const frame = await receiver.client.nextJson<EventFrame<{ message: string }>>(
        (value) => value.event === 'broadcast',
      );
      expect(frame.data.message).toBe('maintenance');
    }
  });

  it('POST /api/broadcast without a JSON object answers 400', async () => {
    const answer = await server.request('/api/broadcast', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'not json',
    });
    expect(answer.status).toBe(400);
    expect(answer.json()).toEqual({ error: { statusCode: 400, message: 'Bad request' } });
  });

  it('POST /api/message/:userId delivers to that client only', async () => {
    const alice = await join(server);
    const bob = await join(server);
    const answer = await server.request(`/api/message/${bob.id}`, { method: 'POST', body: { text: 'psst' } });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ sent: true });
    const privateFrame = await bob.client.nextText((frame) => frame.text.includes('private-message'));
    expect(privateFrame).toBe(JSON.stringify({ event: 'private-message', data: { text: 'psst' } }));

    // Alice gets nothing for it: the next frame she sees is a later broadcast.
    await server.request('/api/broadcast', { method: 'POST', body: { message: 'after' } });
    const next = await alice.client.nextJson<EventFrame>((value) => value.event !== 'user-joined');
    expect(next.event).toBe('broadcast');
  });

  it('POST /api/message/:userId answers 404 when the user is not connected', async () => {
    const alice = await join(server);
    await alice.client.close();
    await waitFor(() => !WebSocketManager.of(server.app).getConnectedIds().includes(alice.id), {
      description: 'the server to see the close',
    });
    for (const userId of [alice.id, 'nobody']) {
      const answer = await server.request(`/api/message/${userId}`, { method: 'POST', body: { text: 'x' } });
      expect(answer.status).toBe(404);
      expect(answer.json()).toEqual({ error: { statusCode: 404, message: 'User not connected' } });
    }
  });
});
