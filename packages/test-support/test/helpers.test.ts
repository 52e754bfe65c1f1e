import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  deferred,
  expectUpgradeRefused,
  httpRequest,
  RecordingLogger,
  TestClient,
  UpgradeRefusedError,
  waitFor,
} from '../src';

/** What the server saw of one request. */
interface Seen {
  readonly url: string | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let server: Server;
let sockets: WebSocketServer;
let port: number;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ ok: true }));
    });
  });
  sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    if (request.url === '/refuse') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (websocket) => {
      websocket.ping();
      websocket.send('hello');
      websocket.send(Buffer.from([1, 2]));
      websocket.send('{"type":"json"}');
      websocket.on('message', (data, isBinary) => websocket.send(data, { binary: isBinary }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(() => TestClient.terminateAll());

afterAll(async () => {
  sockets.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('deferred', () => {
  it('resolves its promise with the value handed to resolve', async () => {
    const handed = deferred<string>();
    setImmediate(() => handed.resolve('value'));
    await expect(handed.promise).resolves.toBe('value');
  });
});

describe('RecordingLogger', () => {
  it('records entries in order, with bound methods, and resolves waiters for past and future entries', async () => {
    const logger = new RecordingLogger();
    const { warn } = logger;
    logger.info('first', { n: 1 });
    warn('second');
    expect(logger.entries).toEqual([
      { level: 'info', message: 'first', fields: { n: 1 } },
      { level: 'warn', message: 'second', fields: undefined },
    ]);
    await expect(logger.waitFor((entry) => entry.level === 'info')).resolves.toMatchObject({
      message: 'first',
    });
    const later = logger.waitFor((entry) => entry.level === 'error');
    logger.error('third');
    await expect(later).resolves.toMatchObject({ message: 'third' });
  });
});

describe('waitFor', () => {
  it('resolves the first value that is not undefined or false, retrying checks that throw', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('not yet');
        return calls === 3 ? 'done' : false;
      },
      { description: 'the third call', intervalMs: 1 },
    );
    expect([value, calls]).toEqual(['done', 3]);
  });

  it('fails after its bound, naming what was awaited and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still broken');
        },
        { description: 'the impossible', timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow('timed out after 30 ms waiting for the impossible (last error: still broken)');
  });
});

describe('httpRequest', () => {
  it('sends the path as written, a string body as it is and an object as JSON', async () => {
    seen.length = 0;
    const raw = await httpRequest(`http://127.0.0.1:${port}/a/../b//c?x=1`, { method: 'POST', body: 'text' });
    expect(raw.status).toBe(200);
    expect(raw.json()).toEqual({ ok: true });
    expect(raw.bytes.toString('utf8')).toBe(raw.text);
    await httpRequest(`http://127.0.0.1:${port}/json`, { method: 'POST', body: { a: 1 } });
    expect(seen).toEqual([
      expect.objectContaining({ url: '/a/../b//c?x=1', body: 'text' }),
      expect.objectContaining({ url: '/json', body: '{"a":1}' }),
    ]);
    expect(seen[0]?.headers['content-type']).toBeUndefined();
    expect(seen[1]?.headers['content-type']).toBe('application/json');
    expect(seen[1]?.headers.connection).toBe('close');
  });
});

describe('TestClient', () => {
  it('queues every frame from the first one and takes the first that matches', async () => {
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
    expect(await client.nextJson((value) => value.type === 'json')).toEqual({ type: 'json' });
    expect(await client.nextText()).toBe('hello');
    const binary = await client.next();
    expect([binary.isBinary, [...binary.data]]).toEqual([true, [1, 2]]);
    await client.send('echo');
    expect(await client.nextText('echo')).toBe('echo');
    expect(client.history.map((frame) => frame.text)).toEqual(['hello', '', '{"type":"json"}', 'echo']);
    expect(client.pings).toBe(1);
    expect(client.drain()).toEqual([]);
  });

  it('rejects a wait that outlives its bound, saying what is pending', async () => {
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
    await expect(client.next('never', 50)).rejects.toThrow(
      /no frame matching never within 50 ms; 3 unconsumed/,
    );
  });

  it('reports a refused upgrade with its status and body', async () => {
    const refused = await expectUpgradeRefused(`ws://127.0.0.1:${port}/refuse`);
    expect(refused).toBeInstanceOf(UpgradeRefusedError);
    expect([refused.status, refused.body]).toEqual([403, 'nope']);
  });

  it('terminateAll drops every client still open', async () => {
    const clients = [
      await TestClient.connect(`ws://127.0.0.1:${port}/ws`),
      await TestClient.connect(`ws://127.0.0.1:${port}/ws`),
    ];
    await TestClient.terminateAll();
    expect(clients.map((client) => client.isOpen)).toEqual([false, false]);
    expect((await clients[0]?.closed)?.code).toBe(1006);
  });
});
