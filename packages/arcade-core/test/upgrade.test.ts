import { deferred } from '@arcade/test-support';
import type { ArcadeServer } from '../src';
import { RequestContext, TooManyRequestsException, UnauthorizedException } from '../src';
import { exchange, rawConnection, readUntilClosed, send, startApp } from './support/http';

class TokenContext extends RequestContext {
  token = '';
}

function upgradeRequest(path: string, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${path} HTTP/1.1`,
    'Host: localhost',
    'Connection: Upgrade',
    'Upgrade: websocket',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function bodyOf(rawResponse: string): unknown {
  return JSON.parse(rawResponse.slice(rawResponse.indexOf('\r\n\r\n') + 4));
}

describe('upgrade routes', () => {
  let server: ArcadeServer;
  const globalCalls: string[] = [];
  const bodies: string[] = [];

  beforeAll(async () => {
    ({ server } = await startApp((app) => {
      const { route } = app;
      route.registerGlobalBeforeHook((ctx) => {
        globalCalls.push(ctx.path);
        return ctx;
      });
      route.group('/ws', {
        before: [
          (ctx) => {
            ctx.responseHeaders.set('x-group', 'seen');
            return ctx;
          },
        ],
        defineRoutes: (ws) => {
          ws.get('/echo/:room')
            .before((ctx) => {
              const token = ctx.requestHeaders.value('authorization');
              if (token === undefined) throw new UnauthorizedException({ message: 'Token required' });
              ctx.responseHeaders.set('sec-websocket-protocol', 'chat-v1');
              return Object.assign(new TokenContext({ request: ctx.rawRequest, route: ctx.route }), {
                token,
              });
            })
            .handleUpgrade((ctx, { socket, head }) => {
              const recorded = Object.fromEntries(ctx.responseHeaders.entries());
              socket.write(
                'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n',
              );
              socket.write(
                `${JSON.stringify({
                  token: ctx.token,
                  room: ctx.pathParameters.room,
                  query: ctx.queryParameters,
                  route: ctx.route,
                  headers: recorded,
                  head: head.toString(),
                  hasResponse: ctx.rawResponse !== undefined,
                })}\n`,
              );
              socket.on('data', (chunk: Buffer) => socket.write(`echo:${chunk.toString()}`));
              socket.on('end', () => socket.end());
            });
          ws.get('/crash').handleUpgrade(() => {
            throw new Error('handler bug');
          });
          ws.get('/injected')
            .before(() => {
              throw new TooManyRequestsException({ headers: { 'retry-after': '1\r\nx-injected: yes' } });
            })
            .handleUpgrade(() => {});
          ws.get('/async-reject').handleUpgrade(async () => {
            throw new UnauthorizedException({ message: 'Nope' });
          });
        },
      });
      route.get('/plain').handle(() => 'plain');
      route.post('/plain-body').handle(async (ctx) => {
        bodies.push(await ctx.body());
        return 'read';
      });
    }));
  });

  afterAll(() => server.close());

  it('answers 426 with Upgrade: websocket to a plain request', async () => {
    const response = await send(server, '/ws/echo/lobby', { headers: { authorization: 't' } });
    expect(response.status).toBe(426);
    expect(response.headers.upgrade).toBe('websocket');
    expect(response.json()).toEqual({ error: { statusCode: 426, message: 'Upgrade required' } });
  });

  it('answers 426 without a body to a HEAD request, as GET does with one', async () => {
    const response = await send(server, '/ws/echo/lobby', {
      method: 'HEAD',
      headers: { authorization: 't' },
    });
    expect(response.status).toBe(426);
    expect(response.headers.upgrade).toBe('websocket');
    expect(response.bytes.length).toBe(0);
  });

  it('runs global, group and route hooks, then hands the socket to the handler', async () => {
    globalCalls.length = 0;
    const socket = await rawConnection(server);
    const received = readUntilClosed(socket);
    const firstLine = new Promise<string>((resolve) => {
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const end = buffered.indexOf('}\n');
        if (end !== -1) resolve(buffered);
      });
    });
    socket.write(upgradeRequest('/ws/echo/lobby?since=5', { authorization: 'secret' }));
    const greeting = await firstLine;
    expect(greeting.startsWith('HTTP/1.1 101 Switching Protocols')).toBe(true);
    const info = JSON.parse(greeting.slice(greeting.indexOf('\r\n\r\n') + 4));
    expect(info).toEqual({
      token: 'secret',
      room: 'lobby',
      query: { since: '5' },
      route: { method: 'GET', path: '/ws/echo/:room' },
      headers: { 'x-group': 'seen', 'sec-websocket-protocol': 'chat-v1' },
      head: '',
      hasResponse: false,
    });
    expect(globalCalls).toEqual(['/ws/echo/lobby']);
    socket.end('ping');
    expect(await received).toContain('echo:ping');
  });

  it('writes a before hook rejection on the raw socket and closes it', async () => {
    const response = await exchange(server, upgradeRequest('/ws/echo/lobby'));
    expect(response.startsWith('HTTP/1.1 401 Unauthorized\r\n')).toBe(true);
    expect(response).toContain('Content-Type: application/json\r\n');
    expect(response).toContain('Connection: close\r\n');
    const body = JSON.stringify({ error: { statusCode: 401, message: 'Token required' } });
    expect(response).toContain(`Content-Length: ${body.length}\r\n`);
    expect(bodyOf(response)).toEqual(JSON.parse(body));
  });

  it('answers 500 on the socket when the handler throws a non-HTTP error', async () => {
    const response = await exchange(server, upgradeRequest('/ws/crash'));
    expect(response.startsWith('HTTP/1.1 500 Internal Server Error\r\n')).toBe(true);
    expect(bodyOf(response)).toEqual({ error: { statusCode: 500, message: 'Internal server error' } });
  });

  it('writes the exception of a rejecting handler on the socket', async () => {
    expect(bodyOf(await exchange(server, upgradeRequest('/ws/async-reject')))).toEqual({
      error: { statusCode: 401, message: 'Nope' },
    });
  });

  it('leaves out an exception header that would inject lines into the raw response', async () => {
    const response = await exchange(server, upgradeRequest('/ws/injected'));
    expect(response.startsWith('HTTP/1.1 429 Too Many Requests\r\n')).toBe(true);
    expect(response.toLowerCase()).not.toContain('x-injected');
    expect(bodyOf(response)).toEqual({ error: { statusCode: 429, message: 'Too many requests' } });
  });

  it('answers 404 on the socket to an upgrade for a path without any route', async () => {
    const response = await exchange(server, upgradeRequest('/nowhere'));
    expect(response.startsWith('HTTP/1.1 404 Not Found\r\n')).toBe(true);
    expect(bodyOf(response)).toEqual({ error: { statusCode: 404, message: 'Not found' } });
  });

  it('serves a plain route to a request that offers an upgrade (such as h2c) and closes', async () => {
    const response = await exchange(
      server,
      'GET /plain HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n',
    );
    expect(response.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(response.toLowerCase()).toContain('connection: close\r\n');
    expect(response.endsWith('\r\n\r\nplain')).toBe(true);
  });

  it.each([
    ['Content-Length: 11', 'hello world'],
    ['Transfer-Encoding: chunked', 'b\r\nhello world\r\n0\r\n\r\n'],
  ])('refuses with 400 a request with a body (%s) that offers an upgrade to a plain route, instead of losing the body', async (header, body) => {
    const response = await exchange(
      server,
      `POST /plain-body HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n${header}\r\n\r\n${body}`,
    );
    expect(response.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
    expect(bodyOf(response)).toMatchObject({
      error: { statusCode: 400, message: expect.stringMatching(/cannot offer a protocol upgrade/) },
    });
    expect(bodies).toEqual([]);
  });

  it('answers 400 on the socket to malformed percent-encoding', async () => {
    expect(
      (await exchange(server, upgradeRequest('/ws/echo/%zz', { authorization: 'x' }))).startsWith(
        'HTTP/1.1 400 Bad Request\r\n',
      ),
    ).toBe(true);
  });
});

describe('upgraded sockets and close()', () => {
  it('lets the close listeners close upgraded sockets first, then destroys any left open', async () => {
    const handedOver = deferred();
    const owned: import('node:stream').Duplex[] = [];
    const { app, server } = await startApp((current) => {
      current.route.get('/keep').handleUpgrade((_ctx, { socket }) => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
        owned.push(socket);
        handedOver.resolve();
      });
    });
    let openWhenListenerRan: boolean | undefined;
    app.onServerClose(() => {
      openWhenListenerRan = owned.every((socket) => !socket.destroyed);
    });
    const socket = await rawConnection(server);
    const received = readUntilClosed(socket);
    socket.write(upgradeRequest('/keep'));
    await handedOver.promise;
    await server.close();
    expect(openWhenListenerRan).toBe(true);
    expect(await received).toContain('101 Switching Protocols');
    expect(owned[0]?.destroyed).toBe(true);
  });
});

describe('listeners core keeps on upgraded sockets', () => {
  it('attaches the same close and error listener functions to every upgraded socket', async () => {
    const owned: import('node:stream').Duplex[] = [];
    const bothHandedOver = deferred();
    const { server } = await startApp((current) => {
      current.route.get('/hold').handleUpgrade((_ctx, { socket }) => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
        owned.push(socket);
        if (owned.length === 2) bothHandedOver.resolve();
      });
    });
    const clients = await Promise.all([rawConnection(server), rawConnection(server)]);
    const closed = clients.map((client) => readUntilClosed(client));
    for (const client of clients) client.write(upgradeRequest('/hold'));
    await bothHandedOver.promise;
    const [first, second] = owned as [import('node:stream').Duplex, import('node:stream').Duplex];
    const listenersOf = (event: string) => [first.listeners(event), second.listeners(event)] as const;
    try {
      for (const event of ['close', 'error']) {
        const [ofFirst, ofSecond] = listenersOf(event);
        expect(ofSecond).toHaveLength(ofFirst.length);
        for (const [index, listener] of ofFirst.entries()) expect(ofSecond[index]).toBe(listener);
      }
    } finally {
      await server.close();
      await Promise.all(closed);
    }
    expect(owned.every((socket) => socket.destroyed)).toBe(true);
  });
});

describe('takeOverSocket()', () => {
  type Counts = { close: number; error: number };
  const countsOf = (socket: import('node:stream').Duplex): Counts => ({
    close: socket.listenerCount('close'),
    error: socket.listenerCount('error'),
  });

  it('removes core listeners taken over after an await, and leaves the socket to the plugin at close()', async () => {
    const handedOver = deferred();
    const owned: import('node:stream').Duplex[] = [];
    const counts: Counts[] = [];
    const { app, server } = await startApp((current) => {
      current.route.get('/own').handleUpgrade(async (_ctx, { socket, takeOverSocket }) => {
        await new Promise((resolve) => setImmediate(resolve));
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
        counts.push(countsOf(socket));
        // The plugin's own error listener first, as the contract asks.
        socket.on('error', () => undefined);
        takeOverSocket();
        takeOverSocket();
        counts.push(countsOf(socket));
        owned.push(socket);
        handedOver.resolve();
      });
    });
    let openWhenListenerRan: boolean | undefined;
    app.onServerClose(() => {
      openWhenListenerRan = !owned[0]?.destroyed;
      owned[0]?.end();
    });
    const socket = await rawConnection(server);
    const received = readUntilClosed(socket);
    socket.write(upgradeRequest('/own'));
    await handedOver.promise;
    await server.close();
    expect(openWhenListenerRan).toBe(true);
    expect(await received).toContain('101 Switching Protocols');
    const [before, after] = counts;
    // core's close listener is gone; its error listener was replaced by the plugin's.
    expect(after).toEqual({ close: (before?.close ?? 0) - 1, error: before?.error ?? 0 });
  });

  it('never gives core listeners to a socket taken over before the handler returns', async () => {
    const handedOver = deferred();
    const owned: import('node:stream').Duplex[] = [];
    const counts: Counts[] = [];
    const { app, server } = await startApp((current) => {
      current.route.get('/own-now').handleUpgrade((_ctx, { socket, takeOverSocket }) => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
        counts.push(countsOf(socket));
        socket.on('error', () => undefined);
        takeOverSocket();
        owned.push(socket);
        setImmediate(() => {
          counts.push(countsOf(socket));
          handedOver.resolve();
        });
      });
    });
    app.onServerClose(() => {
      owned[0]?.end();
    });
    const socket = await rawConnection(server);
    const received = readUntilClosed(socket);
    socket.write(upgradeRequest('/own-now'));
    await handedOver.promise;
    await server.close();
    expect(await received).toContain('101 Switching Protocols');
    const [inHandler, afterwards] = counts;
    // Only the plugin's error listener was added, then or later.
    expect(afterwards).toEqual({ close: inHandler?.close ?? -1, error: (inHandler?.error ?? -1) + 1 });
  });

  it('close() logs an error, and does not hang, when a plugin keeps a socket it took over open', async () => {
    const handedOver = deferred();
    const owned: import('node:stream').Duplex[] = [];
    const { server, logger } = await startApp((current) => {
      current.route.get('/leak').handleUpgrade((_ctx, { socket, takeOverSocket }) => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n');
        socket.on('error', () => undefined);
        takeOverSocket();
        owned.push(socket);
        handedOver.resolve();
      });
    });
    const socket = await rawConnection(server);
    const received = readUntilClosed(socket);
    socket.write(upgradeRequest('/leak'));
    await handedOver.promise;
    await server.close();
    const leaked = owned[0];
    expect(leaked?.destroyed).toBe(false);
    leaked?.destroy();
    await received;
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: expect.stringContaining('takeOverSocket') }),
    );
  });

  it('after takeOverSocket(), a failing handler is logged and the socket is left to the plugin', async () => {
    const handedOver = deferred();
    const owned: import('node:stream').Duplex[] = [];
    const { server, logger } = await startApp((current) => {
      current.route.get('/late-failure').handleUpgrade((_ctx, { socket, takeOverSocket }) => {
        socket.on('error', () => undefined);
        takeOverSocket();
        owned.push(socket);
        handedOver.resolve();
        throw new Error('failed after taking the socket');
      });
    });
    const socket = await rawConnection(server);
    const received = readUntilClosed(socket);
    socket.write(upgradeRequest('/late-failure'));
    await handedOver.promise;
    await new Promise((resolve) => setImmediate(resolve));
    const taken = owned[0];
    expect(taken?.destroyed).toBe(false);
    taken?.end('plugin bytes only');
    expect(await received).toBe('plugin bytes only');
    expect(logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'An upgrade handler failed after takeOverSocket()',
      }),
    );
    await server.close();
  });
});
