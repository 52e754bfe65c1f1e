import type { App } from '@arcade/core';
import { deferred, TestClient } from '@arcade/test-support';
import { WebSocketManager } from '../../src/index';
import { elapsedSince, LOCAL_TIMING_SLACK_MS } from '../support/bounds';
import { closeAll, rawPeer, startServer } from './harness';

afterEach(async () => {
  jest.restoreAllMocks();
  await closeAll();
});

/** Records, in order, the manager calls the transport makes. */
function recordManagerCalls(app: App, events: string[]): WebSocketManager {
  const manager = WebSocketManager.of(app);
  for (const method of ['addConnection', 'removeConnection', 'forgetConnection', 'shutdown'] as const) {
    const original = manager[method].bind(manager) as (...args: unknown[]) => unknown;
    jest.spyOn(manager, method).mockImplementation(((...args: unknown[]) => {
      events.push(method);
      return original(...args);
    }) as never);
  }
  return manager;
}

describe('connection lifecycle', () => {
  it('registers, then awaits onConnect, then calls the handler; on close removes, runs after hooks, forgets', async () => {
    const events: string[] = [];
    const afterDone = deferred();
    const { url } = await startServer((app) => {
      recordManagerCalls(app, events);
      app.route
        .get('/ws')
        .handleWebSocket(
          (_ctx, websocket) => {
            events.push('handler');
            websocket.add('hi');
          },
          {
            onConnect: async () => {
              events.push('onConnect:start');
              await new Promise((resolve) => setImmediate(resolve));
              events.push('onConnect:end');
            },
          },
        )
        .after(() => {
          events.push('after');
          afterDone.resolve();
        });
    });
    const client = await TestClient.connect(url('/ws'));
    await client.nextText();
    client.socket.close();
    await afterDone.promise;
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([
      'addConnection',
      'onConnect:start',
      'onConnect:end',
      'handler',
      'removeConnection',
      'after',
      'forgetConnection',
    ]);
  });

  describe('with a registration done at once (addConnection answers undefined)', () => {
    /** A manager whose addConnection registers as usual but answers `undefined`, as a synchronous one does. */
    function answerRegistrationAtOnce(app: App, events: string[]): void {
      const manager = WebSocketManager.of(app);
      const register = manager.addConnection.bind(manager);
      jest.spyOn(manager, 'addConnection').mockImplementation(((...args: Parameters<typeof register>) => {
        // The private store registers within the call; its promise is dropped here on purpose.
        void register(...args);
        events.push('addConnection');
        queueMicrotask(() => events.push('next microtask'));
        return undefined;
      }) as never);
    }

    it('runs onConnect in the same turn, then the handler, in the lifecycle order', async () => {
      const events: string[] = [];
      const handled = deferred();
      const { url } = await startServer((app) => {
        answerRegistrationAtOnce(app, events);
        app.route.get('/ws').handleWebSocket(
          (_ctx, websocket) => {
            events.push('handler');
            websocket.add('hi');
            handled.resolve();
          },
          {
            onConnect: async (_ctx, _websocket, id) => {
              events.push('onConnect');
              events.push(`registered: ${(await WebSocketManager.of(app).getConnectionInfo(id))?.id === id}`);
            },
          },
        );
      });
      const client = await TestClient.connect(url('/ws'));
      expect(await client.nextText()).toBe('hi');
      await handled.promise;
      expect(events).toEqual(['addConnection', 'onConnect', 'next microtask', 'registered: true', 'handler']);
    });

    it('closes with 1011 when onConnect throws at once, skips the handler and still runs the after hooks', async () => {
      const events: string[] = [];
      const after = deferred();
      const { url, server } = await startServer((app) => {
        answerRegistrationAtOnce(app, events);
        app.route
          .get('/ws')
          .handleWebSocket(() => events.push('handler'), {
            onConnect: () => {
              throw new Error('onConnect failed at once');
            },
          })
          .after(() => after.resolve());
      });
      const client = await TestClient.connect(url('/ws'));
      expect((await client.closed).code).toBe(1011);
      await after.promise;
      expect(events).not.toContain('handler');
      await server.close();
    });
  });

  it('runs the after hooks once, with the record gone and the connection data still readable', async () => {
    const seen: { info: unknown; data: unknown; id: string; result: unknown }[] = [];
    const afterDone = deferred();
    let manager: WebSocketManager | undefined;
    const { url } = await startServer((app) => {
      manager = WebSocketManager.of(app);
      app.route
        .get('/ws/monitored')
        .handleWebSocket((_ctx, websocket, id) => {
          let messageCount = 0;
          websocket.listen(() => {
            messageCount += 1;
            manager?.setConnectionData(id, { messageCount });
          });
          manager?.setConnectionData(id, { messageCount });
          return 'handler result';
        })
        .after(async (ctx, result, id) => {
          seen.push({
            info: await manager?.getConnectionInfo(id),
            data: manager?.getConnectionData(id),
            id,
            result,
          });
          afterDone.resolve();
          return [ctx, result, id];
        });
    });
    const client = await TestClient.connect(url('/ws/monitored'));
    client.send('one');
    client.send('two');
    client.socket.close();
    await client.closed;
    await afterDone.promise;
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([
      { info: null, data: { messageCount: 2 }, id: expect.any(String), result: 'handler result' },
    ]);
    expect(manager?.getConnectionData(seen[0]?.id ?? '')).toBeUndefined();
  });

  it('removes a closed connection from storage while its handler is still running, and runs the after hooks once it settles', async () => {
    const handlerResult = deferred<string>();
    const removed = deferred();
    const after = deferred<unknown>();
    let manager: WebSocketManager | undefined;
    let connectionId = '';
    const { url } = await startServer((app) => {
      manager = WebSocketManager.of(app);
      const removeConnection = manager.removeConnection.bind(manager);
      jest.spyOn(manager, 'removeConnection').mockImplementation(async (id) => {
        await removeConnection(id);
        removed.resolve();
      });
      app.route
        .get('/ws')
        .handleWebSocket((_ctx, websocket, id) => {
          connectionId = id;
          websocket.add('ready');
          return handlerResult.promise;
        })
        .after((_ctx, result) => after.resolve(result));
    });
    const client = await TestClient.connect(url('/ws'));
    await client.nextText();
    client.socket.close();
    await removed.promise;
    expect(await manager?.getConnectionInfo(connectionId)).toBeNull();
    expect(await manager?.getAllConnections()).toEqual([]);

    handlerResult.resolve('late result');
    expect(await after.promise).toBe('late result');
  });

  it('passes what an after hook returns on to the next one', async () => {
    const last = deferred<unknown>();
    const { url } = await startServer((app) => {
      app.route
        .get('/ws')
        .handleWebSocket(async () => 1)
        .after((ctx, result, id) => [ctx, Number(result) + 1, id])
        .after(() => undefined)
        .after((_ctx, result) => last.resolve(result));
    });
    const client = await TestClient.connect(url('/ws'));
    client.socket.close();
    expect(await last.promise).toBe(2);
  });

  it('gives every connection its own nanoid: 21 characters of the URL-safe alphabet', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket((_ctx, websocket, id) => websocket.add(id));
    });
    const clients = await Promise.all(Array.from({ length: 20 }, () => TestClient.connect(url('/ws'))));
    const ids = await Promise.all(clients.map((client) => client.nextText()));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('records the user agent and remote address as the initial metadata', async () => {
    const { url } = await startServer((app) => {
      const manager = WebSocketManager.of(app);
      app.route.get('/ws').handleWebSocket(async (_ctx, websocket, id) => {
        const info = await manager.getConnectionInfo(id);
        websocket.add(JSON.stringify(info?.metadata));
      });
    });
    const client = await TestClient.connect(url('/ws'), { headers: { 'user-agent': 'arcade-test/1' } });
    expect(JSON.parse(await client.nextText())).toEqual({
      userAgent: 'arcade-test/1',
      remoteAddress: '127.0.0.1',
    });
  });
});

describe('graceful close', () => {
  it('sends 1001 to every socket, runs their after hooks, then shuts the manager down', async () => {
    const events: string[] = [];
    const { url, server } = await startServer((app) => {
      recordManagerCalls(app, events);
      app.route
        .get('/ws')
        .handleWebSocket(() => {})
        .after(() => {
          events.push('after');
        });
    });
    const clients = await Promise.all([TestClient.connect(url('/ws')), TestClient.connect(url('/ws'))]);
    await server.close();
    const closes = await Promise.all(clients.map((client) => client.closed));
    expect(closes).toEqual([
      { code: 1001, reason: 'Server shutting down' },
      { code: 1001, reason: 'Server shutting down' },
    ]);
    expect(events.filter((event) => event === 'after')).toHaveLength(2);
    expect(events.at(-1)).toBe('shutdown');
  });

  it('terminates a peer that never answers the close handshake, within the shutdown bound', async () => {
    const shutdownTimeoutMs = 300;
    const after = deferred();
    const { server } = await startServer(
      (app) => {
        app.route
          .get('/ws')
          .handleWebSocket((_ctx, websocket) => websocket.add('open'))
          .after(() => after.resolve());
      },
      { shutdownTimeoutMs },
    );
    const socket = await rawPeer(server.port, '/ws');
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));
    const startedAt = performance.now();
    await server.close();
    await after.promise;
    await socketClosed;
    // The bound is the option's promise (README, graceful shutdown); the slack absorbs a loaded machine.
    expect(elapsedSince(startedAt)).toBeLessThan(shutdownTimeoutMs + LOCAL_TIMING_SLACK_MS);
  });
});
