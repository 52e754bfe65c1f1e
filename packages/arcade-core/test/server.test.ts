import type { Server } from 'node:http';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { deferred, RecordingLogger } from '@arcade/test-support';
import { createApp, defaultApp, route, runServer, silentLogger } from '../src';
import { rawConnection, readUntilClosed, send, startApp } from './support/http';

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('runServer', () => {
  it('awaits init, then the start listeners, then listens', async () => {
    const app = createApp();
    const steps: string[] = [];
    let seen: { server: Server; listening: boolean; port: number } | undefined;
    app.onServerStart((server, options) => {
      steps.push('start listener');
      seen = { server, listening: server.listening, port: options.port };
    });
    const server = await app.runServer({
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger,
      init: async () => {
        await Promise.resolve();
        steps.push('init');
        app.route.get('/').handle(() => 'ready');
      },
    });
    try {
      expect(steps).toEqual(['init', 'start listener']);
      expect(seen).toEqual({ server: server.httpServer, listening: false, port: 0 });
      expect(server.httpServer.listening).toBe(true);
      expect(server.port).toBeGreaterThan(0);
      expect(server.host).toBe('127.0.0.1');
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      expect((await send(server, '/')).text).toBe('ready');
    } finally {
      await server.close();
    }
  });

  it('refuses a second server on the same app until the first has closed', async () => {
    const { app, server } = await startApp(() => {});
    await expect(app.runServer({ port: 0, host: '127.0.0.1' })).rejects.toThrow('already runs a server');
    await server.close();
    const again = await app.runServer({ port: 0, host: '127.0.0.1' });
    await again.close();
  });

  it('rejects when the port is taken, after running the close listeners', async () => {
    const { server } = await startApp(() => {});
    const app = createApp();
    const closed = jest.fn();
    app.onServerClose(closed);
    try {
      await expect(
        app.runServer({ port: server.port, host: '127.0.0.1', logger: silentLogger }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(closed).toHaveBeenCalledTimes(1);
      const retry = await app.runServer({ port: 0, host: '127.0.0.1', logger: silentLogger });
      await retry.close();
    } finally {
      await server.close();
    }
  });

  it('rejects when a start listener fails, after running the close listeners', async () => {
    const app = createApp();
    const started = jest.fn();
    const closed = jest.fn();
    app.onServerStart(started);
    app.onServerStart(() => {
      throw new Error('plugin failed to start');
    });
    app.onServerClose(closed);
    await expect(app.runServer({ port: 0, host: '127.0.0.1', logger: silentLogger })).rejects.toThrow(
      'plugin failed to start',
    );
    expect(started).toHaveBeenCalledTimes(1);
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('validates the port', async () => {
    await expect(createApp().runServer({ port: 70_000 })).rejects.toThrow(RangeError);
  });

  it('keeps apps isolated from each other', async () => {
    const first = await startApp((app) => app.route.get('/who').handle(() => 'first'));
    const second = await startApp((app) => app.route.get('/who').handle(() => 'second'));
    try {
      expect((await send(first.server, '/who')).text).toBe('first');
      expect((await send(second.server, '/who')).text).toBe('second');
    } finally {
      await first.server.close();
      await second.server.close();
    }
  });

  it('runs the module-level route and runServer on the default app', async () => {
    expect(route).toBe(defaultApp.route);
    const server = await runServer({
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger,
      init: () => route.get('/facade').handle(() => 'default app'),
    });
    try {
      expect((await send(server, '/facade')).text).toBe('default app');
      expect(defaultApp.logger).toBe(silentLogger);
    } finally {
      await server.close();
    }
  });
});

describe('ArcadeServer.close', () => {
  it('lets in-flight requests finish, refuses new connections, then resolves', async () => {
    const entered = deferred();
    const release = deferred();
    const { server } = await startApp((app) => {
      app.route.get('/slow').handle(async () => {
        entered.resolve();
        await release.promise;
        return 'finished';
      });
    });
    // Keep-alive asked for: only the server can make this connection close.
    const inFlight = send(server, '/slow', { headers: { connection: 'keep-alive' } });
    await entered.promise;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });
    expect(server.close()).toBe(server.close());
    expect(await connectionRefused(server.port)).toBe(true);
    expect(closed).toBe(false);
    release.resolve();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.text).toBe('finished');
    expect(response.headers.connection).toBe('close');
    await closing;
    expect(closed).toBe(true);
  });

  it('closes idle keep-alive connections at once', async () => {
    // A timeout far beyond jest's: if close() waited for the idle socket, the test would time out.
    const { server } = await startApp((app) => app.route.get('/').handle(() => 'ok'), {
      shutdownTimeoutMs: 120_000,
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const socketClosed = deferred();
      await new Promise<void>((resolve, reject) => {
        const request = httpRequest(
          { host: '127.0.0.1', port: server.port, path: '/', agent },
          (response) => {
            response.resume();
            response.on('end', resolve);
          },
        );
        request.on('socket', (socket) => socket.once('close', () => socketClosed.resolve()));
        request.on('error', reject);
        request.end();
      });
      // The keep-alive socket is idle in the agent's pool now; close() must not wait for it.
      await server.close();
      await socketClosed.promise;
    } finally {
      agent.destroy();
    }
  });

  /**
   * A server whose `/stream` response has sent its head (with keep-alive) on a raw connection. Timeouts
   * far beyond jest's: a connection left for a timeout to close fails the test.
   */
  async function streamingBeforeClose() {
    const body = new PassThrough();
    const { server } = await startApp((app) => app.route.get('/stream').handle(() => body), {
      shutdownTimeoutMs: 120_000,
    });
    server.httpServer.keepAliveTimeout = 120_000;
    const socket = await rawConnection(server);
    const received = readUntilClosed(socket);
    const headSent = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write('GET /stream HTTP/1.1\r\nHost: test\r\n\r\n');
    body.write('first ');
    await headSent;
    return { server, socket, body, received };
  }

  it('ends a keep-alive connection whose response began before close() once that response is done', async () => {
    const { server, body, received } = await streamingBeforeClose();
    const closing = server.close();
    body.end('last');
    const response = await received;
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response.toLowerCase()).toContain('connection: keep-alive');
    expect(response).toContain('first ');
    expect(response).toContain('last');
    await closing;
  });

  it('answers a request that arrives behind an in-flight response during shutdown with 503 and Connection: close', async () => {
    const { server, socket, body, received } = await streamingBeforeClose();
    const closing = server.close();
    const arrived = new Promise((resolve) => server.httpServer.once('request', resolve));
    socket.write('GET /stream HTTP/1.1\r\nHost: test\r\n\r\n');
    await arrived;
    body.end('last');
    const response = await received;
    const second = response.indexOf('HTTP/1.1 503 ');
    expect(second).toBeGreaterThan(response.indexOf('last'));
    expect(response.slice(second).toLowerCase()).toContain('connection: close');
    expect(response.slice(second)).toContain('Server is shutting down');
    await closing;
  });

  it('closes at once a connection that has sent nothing, or only part of a request', async () => {
    const { server } = await startApp((app) => app.route.get('/').handle(() => 'ok'), {
      shutdownTimeoutMs: 120_000,
    });
    let accepted = 0;
    const bothAccepted = new Promise<void>((resolve) =>
      server.httpServer.on('connection', () => {
        if (++accepted === 2) resolve();
      }),
    );
    const silent = await rawConnection(server);
    const partial = await rawConnection(server);
    partial.write('GET / HTTP/1.1\r\nHost: te');
    const closed = Promise.all([readUntilClosed(silent), readUntilClosed(partial)]);
    await bothAccepted;
    await server.close();
    expect(await closed).toEqual(['', '']);
  });

  it('lets a response a slow reader is still receiving finish while other responses end', async () => {
    const size = 8 * 1024 * 1024;
    const big = { entered: deferred(), release: deferred() };
    const small = { entered: deferred(), release: deferred() };
    const { server } = await startApp(
      (app) => {
        app.route.get('/big').handle(async () => {
          big.entered.resolve();
          await big.release.promise;
          return Buffer.alloc(size, 97);
        });
        app.route.get('/small').handle(async () => {
          small.entered.resolve();
          await small.release.promise;
          return 'ok';
        });
      },
      { shutdownTimeoutMs: 120_000 },
    );
    const reader = await rawConnection(server);
    let bytes = 0;
    reader.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    const readerClosed = readUntilClosed(reader);
    reader.pause();
    reader.write('GET /big HTTP/1.1\r\nHost: test\r\n\r\n');
    const other = send(server, '/small');
    await Promise.all([big.entered.promise, small.entered.promise]);
    const closing = server.close();
    big.release.resolve();
    // The big answer has ended but sits in buffers until the reader reads; another response ends meanwhile.
    await new Promise((resolve) => setImmediate(resolve));
    small.release.resolve();
    expect((await other).text).toBe('ok');
    reader.resume();
    await readerClosed;
    expect(bytes).toBeGreaterThan(size);
    await closing;
  });

  it('destroys what is still open after shutdownTimeoutMs', async () => {
    const shutdownTimeoutMs = 50;
    const entered = deferred();
    const { server, logger } = await startApp(
      (app) => {
        app.route.get('/forever').handle(() => {
          entered.resolve();
          return new Promise(() => {});
        });
        app.onServerClose(() => new Promise(() => {}));
      },
      { shutdownTimeoutMs },
    );
    const outcome = send(server, '/forever').then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await entered.promise;
    const startedAt = performance.now();
    await server.close();
    // The bound is the option's promise; the slack absorbs a loaded machine, far below the 10 s default.
    expect(performance.now() - startedAt).toBeLessThan(shutdownTimeoutMs + 1500);
    expect(await outcome).toBe('ECONNRESET');
    expect(logger.entries.some((entry) => entry.message.startsWith('Shutdown timed out'))).toBe(true);
  });

  it('runs the close listeners during close and logs a failing one without stopping the others', async () => {
    const logger = new RecordingLogger();
    const app = createApp();
    const order: string[] = [];
    app.onServerClose(() => {
      throw new Error('listener failed');
    });
    app.onServerClose(async () => {
      await Promise.resolve();
      order.push('second listener');
    });
    const server = await app.runServer({ port: 0, host: '127.0.0.1', logger });
    await server.close();
    expect(order).toEqual(['second listener']);
    const failure = logger.entries.find((entry) => entry.message === 'An onServerClose callback failed');
    expect(failure?.fields?.errorMessage).toBe('listener failed');
  });
});

describe('signal handling', () => {
  it('closes the server on SIGTERM when handleSignals is on, and removes its listeners', async () => {
    const before = process.listenerCount('SIGTERM');
    const closed = deferred();
    const { server, app } = await startApp(() => {}, { handleSignals: true });
    app.onServerClose(() => closed.resolve());
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    expect(process.listenerCount('SIGINT')).toBeGreaterThan(0);
    process.emit('SIGTERM', 'SIGTERM');
    await closed.promise;
    await server.close();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(server.httpServer.listening).toBe(false);
  });

  it('adds no signal listener by default', async () => {
    const before = process.listenerCount('SIGINT');
    const { server } = await startApp(() => {});
    expect(process.listenerCount('SIGINT')).toBe(before);
    await server.close();
  });
});
