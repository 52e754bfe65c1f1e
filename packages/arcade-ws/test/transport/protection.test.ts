import { deferred, expectUpgradeRefused, TestClient } from '@arcade/test-support';
import type { ArcadeWebSocket } from '../../src/index';
import { closeAll, sayReadyAndHoldUntilClosed, startServer } from './harness';

afterEach(closeAll);

const echo = (_ctx: unknown, websocket: ArcadeWebSocket): void => {
  websocket.listen((data) => websocket.add(data));
};

describe('maxPayload', () => {
  it('closes with 1009 on a message larger than the route limit and accepts one at the limit', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(echo, { maxPayload: 10 });
    });
    const client = await TestClient.connect(url('/ws'));
    client.send('x'.repeat(10));
    expect(await client.nextText()).toBe('x'.repeat(10));
    client.send('x'.repeat(11));
    expect((await client.closed).code).toBe(1009);
  });

  it('applies the server-wide limit, which a route can raise', async () => {
    const { url } = await startServer(
      (app) => {
        app.route.get('/small').handleWebSocket(echo);
        app.route.get('/large').handleWebSocket(echo, { maxPayload: 64 });
      },
      { webSocket: { maxPayload: 16 } },
    );
    const large = await TestClient.connect(url('/large'));
    large.send('y'.repeat(32));
    expect(await large.nextText()).toBe('y'.repeat(32));
    const small = await TestClient.connect(url('/small'));
    small.send('y'.repeat(32));
    expect((await small.closed).code).toBe(1009);
  });
});

describe('heartbeat', () => {
  it('terminates a peer that does not answer pings and runs its after hooks', async () => {
    const after = deferred<string>();
    const { url } = await startServer((app) => {
      app.route
        .get('/ws')
        .handleWebSocket(() => {}, { heartbeat: { intervalMs: 20, timeoutMs: 20 } })
        .after((_ctx, _result, id) => after.resolve(id));
    });
    const client = await TestClient.connect(url('/ws'), { autoPong: false });
    // Terminated: the TCP connection drops without a close frame.
    expect((await client.closed).code).toBe(1006);
    expect(client.pings).toBeGreaterThan(0);
    expect(await after.promise).toEqual(expect.any(String));
  });

  // Tests that expect a peer to be kept use a 200 ms timeout: a loaded CI machine can take longer than a
  // few tens of milliseconds to answer a ping.
  it('keeps a peer that answers pings', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(echo, { heartbeat: { intervalMs: 20, timeoutMs: 200 } });
    });
    const client = await TestClient.connect(url('/ws'));
    await new Promise<void>((resolve) => {
      client.socket.on('ping', () => {
        if (client.pings >= 3) resolve();
      });
    });
    client.send('alive');
    expect(await client.nextText()).toBe('alive');
  });

  it('keeps a peer that never answers pings but sends after each one: any bytes prove it alive', async () => {
    // A timeout long enough for a loaded CI machine to answer in time. A member is pinged again only
    // once its check is done, so each round lasts a timeout: without counting messages as answers,
    // the peer would be terminated in the first one.
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(echo, { heartbeat: { intervalMs: 20, timeoutMs: 200 } });
    });
    const client = await TestClient.connect(url('/ws'), { autoPong: false });
    const terminated = client.closed.then(({ code }) => {
      throw new Error(`the server closed the connection (${code})`);
    });
    // Answers every ping with a message, never with a pong, for the whole test.
    const rounds = new Promise<void>((resolve) => {
      client.socket.on('ping', () => {
        client.send(`ping ${client.pings}`);
        if (client.pings === 6) resolve();
      });
    });
    await Promise.race([rounds, terminated]);
    client.send('alive');
    const echoes: string[] = [];
    for (let text = await client.nextText(); text !== 'alive'; text = await client.nextText())
      echoes.push(text);
    // Six rounds passed on messages alone, and the connection still serves.
    expect(echoes.slice(0, 4)).toEqual(['ping 1', 'ping 2', 'ping 3', 'ping 4']);
    expect(echoes.every((text) => /^ping \d+$/.test(text))).toBe(true);
  });

  it('terminates only the silent peer among connections sharing one heartbeat', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/a').handleWebSocket(echo, { heartbeat: { intervalMs: 20, timeoutMs: 200 } });
      app.route.get('/b').handleWebSocket(echo, { heartbeat: { intervalMs: 20, timeoutMs: 200 } });
    });
    const answering = await TestClient.connect(url('/a'));
    const silent = await TestClient.connect(url('/b'), { autoPong: false });
    expect((await silent.closed).code).toBe(1006);
    // Still pinged after the silent one is gone, and still served.
    const pingsSoFar = answering.pings;
    await new Promise<void>((resolve) => {
      answering.socket.on('ping', () => {
        if (answering.pings > pingsSoFar + 1) resolve();
      });
    });
    answering.send('alive');
    expect(await answering.nextText()).toBe('alive');
  });

  it('pings again once the last connection of a heartbeat closed and a new one opens', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(echo, { heartbeat: { intervalMs: 20, timeoutMs: 200 } });
    });
    const first = await TestClient.connect(url('/ws'));
    await new Promise<void>((resolve) => first.socket.once('ping', () => resolve()));
    first.socket.close();
    await first.closed;
    const second = await TestClient.connect(url('/ws'));
    await new Promise<void>((resolve) => second.socket.once('ping', () => resolve()));
    expect(second.pings).toBeGreaterThan(0);
  });
});

describe('heartbeat turned off', () => {
  afterEach(() => jest.useRealTimers());

  /**
   * Connects to `url` and lets two minutes of heartbeat intervals pass, far more than the 30 s default;
   * answers how many pings the client got. Only setInterval is faked (the heartbeat's clock): sockets
   * and every other timer run for real.
   */
  async function pingsOverTwoMinutes(url: string): Promise<number> {
    jest.useFakeTimers({
      doNotFake: [
        'Date',
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
      ],
    });
    const client = await TestClient.connect(url);
    jest.advanceTimersByTime(120_000);
    // A frame sent after the pings comes back after them: once the echo is here, so is every ping.
    client.send('x');
    await client.nextText();
    return client.pings;
  }

  it('sends pings at the default interval, which this way of counting sees', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(echo);
    });
    expect(await pingsOverTwoMinutes(url('/ws'))).toBeGreaterThan(0);
  });

  it('sends no ping when turned off server-wide', async () => {
    const { url } = await startServer(
      (app) => {
        app.route.get('/ws').handleWebSocket(echo);
      },
      { webSocket: { heartbeat: false } },
    );
    expect(await pingsOverTwoMinutes(url('/ws'))).toBe(0);
  });

  it('sends no ping on a route that turns it off under a server-wide heartbeat', async () => {
    const { url } = await startServer(
      (app) => {
        app.route.get('/ws').handleWebSocket(echo, { heartbeat: false });
      },
      { webSocket: { heartbeat: { intervalMs: 1000, timeoutMs: 1000 } } },
    );
    expect(await pingsOverTwoMinutes(url('/ws'))).toBe(0);
  });
});

describe('rateLimit', () => {
  it("drops the messages over the limit with 'drop', hands them to onRateLimited, logs once and keeps the connection", async () => {
    const seen = deferred<string[]>();
    const { url, logger } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(
        (_ctx, websocket) => {
          const order: string[] = [];
          websocket.listen((data) => order.push(`got ${String(data)}`), {
            onRateLimited: (data) => order.push(`dropped ${String(data)}`),
          });
          websocket.raw.once('close', () => seen.resolve(order));
        },
        { rateLimit: { messages: 3, perMs: 3_600_000, onExceed: 'drop' } },
      );
    });
    const client = await TestClient.connect(url('/ws'));
    for (let index = 0; index < 5; index += 1) client.send(`m${index}`);
    client.socket.close(1000);
    expect((await client.closed).code).toBe(1000);
    expect(await seen.promise).toEqual(['got m0', 'got m1', 'got m2', 'dropped m3', 'dropped m4']);
    expect(logger.entries.filter((entry) => entry.message.includes('rate limit'))).toHaveLength(1);
  });

  it('keeps dropped messages in order with the others until the handler listens', async () => {
    const seen = deferred<string[]>();
    const arrived = deferred();
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(
        async (_ctx, websocket) => {
          await arrived.promise;
          const order: string[] = [];
          websocket.listen((data) => order.push(`got ${String(data)}`), {
            onRateLimited: (data) => order.push(`dropped ${String(data)}`),
            onDone: () => seen.resolve(order),
          });
        },
        { rateLimit: { messages: 1, perMs: 3_600_000, onExceed: 'drop' } },
      );
    });
    const client = await TestClient.connect(url('/ws'));
    await client.send('m0');
    await client.send('m1');
    await client.send('m2');
    // A ping's pong comes after the server read every frame before it: all three wait for listen().
    const pong = new Promise((resolve) => client.socket.once('pong', resolve));
    client.socket.ping();
    await pong;
    arrived.resolve();
    client.socket.close(1000);
    expect(await seen.promise).toEqual(['got m0', 'dropped m1', 'dropped m2']);
  });

  it("closes with 1008 over the limit with 'close'", async () => {
    const { url } = await startServer(
      (app) => {
        app.route.get('/ws').handleWebSocket(echo);
      },
      { webSocket: { rateLimit: { messages: 2, perMs: 3_600_000, onExceed: 'close' } } },
    );
    const client = await TestClient.connect(url('/ws'));
    for (let index = 0; index < 3; index += 1) client.send(`m${index}`);
    expect((await client.closed).code).toBe(1008);
    expect(client.drain().map(({ data }) => data.toString())).toEqual(['m0', 'm1']);
  });
});

describe('maxBufferedBytes', () => {
  it('closes with 1013 when more than the bound is queued for a socket, and discards the excess', async () => {
    const results = deferred<boolean[]>();
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(
        (_ctx, websocket) => {
          results.resolve(Array.from({ length: 10 }, () => websocket.add('z'.repeat(200))));
        },
        { maxBufferedBytes: 1024 },
      );
    });
    const client = await TestClient.connect(url('/ws'));
    expect((await client.closed).code).toBe(1013);
    const accepted = await results.promise;
    expect(accepted.slice(0, 4)).toEqual([true, true, true, true]);
    expect(accepted.slice(5)).toEqual([false, false, false, false, false]);
    expect(client.drain().length).toBe(accepted.filter(Boolean).length);
  });

  it('closes a consumer that stops reading with 1013 instead of buffering without bound', async () => {
    const stopped = deferred<number>();
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(
        (_ctx, websocket) => {
          const chunk = new Uint8Array(16 * 1024);
          let sent = 0;
          const pump = (): void => {
            // Once per turn, so each write is flushed before the next: only a slow peer fills the buffer.
            if (!websocket.add(chunk)) {
              stopped.resolve(sent);
              return;
            }
            sent += 1;
            setImmediate(pump);
          };
          pump();
        },
        { maxBufferedBytes: 256 * 1024, heartbeat: false },
      );
    });
    const client = await TestClient.connect(url('/ws'));
    client.socket.pause();
    const sent = await stopped.promise;
    expect(sent).toBeGreaterThan(0);
    client.socket.resume();
    expect((await client.closed).code).toBe(1013);
    expect(client.drain().length).toBe(sent);
  });

  it('closes with 1013 when too much arrives before listen is called', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(
        (_ctx, websocket) => {
          websocket.listen(() => {});
        },
        {
          maxBufferedBytes: 1024,
          onConnect: sayReadyAndHoldUntilClosed,
        },
      );
    });
    const client = await TestClient.connect(url('/ws'));
    await client.nextText();
    for (let index = 0; index < 3; index += 1) client.send('q'.repeat(600));
    expect((await client.closed).code).toBe(1013);
  });
});

describe('allowedOrigins', () => {
  it('refuses an origin outside the list with 403 JSON and no upgrade, and accepts a listed one', async () => {
    let connections = 0;
    const { url } = await startServer(
      (app) => {
        app.route.get('/ws').handleWebSocket(() => {
          connections += 1;
        });
      },
      { webSocket: { allowedOrigins: ['https://app.example'] } },
    );
    const refused = await expectUpgradeRefused(url('/ws'), { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toEqual({ error: { statusCode: 403, message: 'Origin not allowed' } });
    expect((await expectUpgradeRefused(url('/ws'))).status).toBe(403);
    expect(connections).toBe(0);
    await TestClient.connect(url('/ws'), { origin: 'https://app.example' });
  });

  it('asks a per-route predicate', async () => {
    const { url } = await startServer((app) => {
      app.route.get('/ws').handleWebSocket(() => {}, {
        allowedOrigins: (origin) => origin?.endsWith('.trusted.example') ?? false,
      });
    });
    expect((await expectUpgradeRefused(url('/ws'), { origin: 'https://other.example' })).status).toBe(403);
    await TestClient.connect(url('/ws'), { origin: 'https://a.trusted.example' });
  });
});

describe('maxConnections', () => {
  it('refuses upgrades beyond the limit with 503 JSON and accepts again once a slot is free', async () => {
    const after = deferred();
    const { url } = await startServer(
      (app) => {
        app.route
          .get('/ws')
          .handleWebSocket(() => {})
          .after(() => after.resolve());
      },
      { webSocket: { maxConnections: 1 } },
    );
    const first = await TestClient.connect(url('/ws'));
    const refused = await expectUpgradeRefused(url('/ws'));
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toEqual({
      error: { statusCode: 503, message: 'Too many WebSocket connections' },
    });
    first.socket.close();
    await after.promise;
    await TestClient.connect(url('/ws'));
  });
});

describe('server-wide options', () => {
  it.each([
    [{ maxPayload: 0 }, /maxPayload/],
    [{ maxConnections: -1 }, /maxConnections/],
    [{ rateLimit: { messages: 0, perMs: 1000, onExceed: 'drop' as const } }, /rateLimit.messages/],
  ])('makes runServer reject the invalid option %j', async (webSocket, message) => {
    await expect(
      startServer(
        (app) => {
          app.route.get('/ws').handleWebSocket(() => {});
        },
        { webSocket },
      ),
    ).rejects.toThrow(message);
  });
});
