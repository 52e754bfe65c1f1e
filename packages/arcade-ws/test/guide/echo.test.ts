import type { App } from '@arcade/core';
import { waitFor } from '@arcade/test-support';
import { startServer, type TestServer } from '../support/server';

// The guide's echo server, translated: a welcome naming the id, 'Echo: ' replies, logs on close.
function defineEchoRoutes(app: App): void {
  app.route.get('/ws').handleWebSocket((_ctx, websocket, id) => {
    websocket.add(`Welcome! Your ID is ${id}`);
    websocket.listen(
      (message) => {
        app.logger.info(`Received from ${id}: ${String(message)}`);
        websocket.add(`Echo: ${String(message)}`);
      },
      {
        onDone: () => app.logger.info(`Client ${id} disconnected`),
        onError: (error) => app.logger.error(`Error from ${id}: ${String(error)}`),
      },
    );
  });
}

describe('guide: echo server', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer(defineEchoRoutes);
  });

  afterEach(() => server.close());

  it('greets with the connection id and echoes each message in order', async () => {
    const client = await server.connect('/ws');
    const welcome = await client.nextText();
    const id = welcome.replace('Welcome! Your ID is ', '');
    expect(welcome).toBe(`Welcome! Your ID is ${id}`);
    expect(id).toMatch(/^[A-Za-z0-9_-]{10,}$/);

    await client.send('hello');
    await client.send('world');
    expect(await client.nextText()).toBe('Echo: hello');
    expect(await client.nextText()).toBe('Echo: world');
  });

  it('gives every connection its own id', async () => {
    const clients = await Promise.all([server.connect('/ws'), server.connect('/ws'), server.connect('/ws')]);
    const ids = await Promise.all(clients.map((client) => client.nextText()));
    expect(new Set(ids).size).toBe(3);
  });

  it('calls onDone once when the client goes away', async () => {
    const client = await server.connect('/ws');
    const id = (await client.nextText()).replace('Welcome! Your ID is ', '');
    await client.close();
    const message = `Client ${id} disconnected`;
    await waitFor(() => server.logger.entries.some((entry) => entry.message === message), {
      description: 'the onDone log line',
    });
    expect(server.logger.entries.filter((entry) => entry.message === message)).toHaveLength(1);
  });

  it('answers a plain HTTP request to the WebSocket route with 426 and a JSON error', async () => {
    const answer = await server.request('/ws');
    expect(answer.status).toBe(426);
    expect(answer.headers.upgrade?.toLowerCase()).toBe('websocket');
    expect(answer.json()).toEqual({ error: { statusCode: 426, message: 'Upgrade required' } });
  });
});
