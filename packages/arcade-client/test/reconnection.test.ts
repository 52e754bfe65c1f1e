import { createServer } from 'node:net';
import { WebSocket } from 'ws';
import { type NetworkMonitor, SubprotocolRefusedError, TerminalCloseError } from '../src/index';
import { ProtocolServer } from './support/protocol-server';
import { closeAllClients, testClient } from './support/test-client';

afterEach(async () => {
  await closeAllClients();
  await ProtocolServer.stopAll();
});

/** A network monitor the test switches by hand, as a browser's online/offline events would. */
function manualNetwork(online = true) {
  let listener: ((online: boolean) => void) | undefined;
  const monitor: NetworkMonitor = {
    isOnline: () => online,
    subscribe(next) {
      listener = next;
      return () => {
        listener = undefined;
      };
    },
  };
  return {
    monitor,
    set(value: boolean) {
      online = value;
      listener?.(value);
    },
    get subscribed() {
      return listener !== undefined;
    },
  };
}

describe('connecting', () => {
  it('offers the events subprotocol and reports connecting, then open', async () => {
    const server = await ProtocolServer.start();
    const { client, statuses, nextStatus } = testClient(server.url);
    const connection = await server.nextConnection();
    await nextStatus('open');
    expect(connection.socket.protocol).toBe('arcade.events.v1');
    expect(statuses.all.map((event) => event.status)).toEqual(['connecting', 'open']);
    expect(client.status).toBe('open');
  });

  it('waits for connect() with autoConnect: false, and connect() is a no-op while running', async () => {
    const server = await ProtocolServer.start();
    const { client, nextStatus } = testClient(server.url, { autoConnect: false });
    expect(client.status).toBe('closed');
    client.connect();
    client.connect();
    await nextStatus('open');
    await server.nextConnection();
    expect(server.connections.all).toHaveLength(1);
  });

  it('calls the params provider on every connect and adds its values to the query', async () => {
    const server = await ProtocolServer.start();
    let calls = 0;
    testClient(`${server.url}?room=lobby`, { params: async () => ({ token: `t${++calls}` }) });
    const first = await server.nextConnection();
    expect(first.url.searchParams.get('room')).toBe('lobby');
    expect(first.url.searchParams.get('token')).toBe('t1');
    await first.terminate();
    const second = await server.nextConnection();
    expect(second.url.searchParams.get('token')).toBe('t2');
  });

  it('retries with backoff when the params provider throws or rejects, and reports each failure', async () => {
    const server = await ProtocolServer.start();
    const outcomes = [
      () => {
        throw new Error('token service down');
      },
      () => Promise.reject(new Error('still down')),
      () => ({ token: 42 }) as never,
      () => ({ token: 'fresh' }),
    ];
    const { errors, statuses } = testClient(server.url, {
      params: () => (outcomes.shift() as () => never)(),
    });
    const connection = await server.nextConnection();
    expect(connection.url.searchParams.get('token')).toBe('fresh');
    expect(errors.all.map((error) => `${error.code}: ${error.message}`)).toEqual([
      'CONNECT_FAILED: the params provider failed: token service down; retrying with backoff',
      'CONNECT_FAILED: the params provider failed: still down; retrying with backoff',
      'CONNECT_FAILED: the params provider failed: the params provider returned a number for "token": every value must be a string; retrying with backoff',
    ]);
    expect(statuses.all.filter((event) => event.status === 'reconnecting')).toHaveLength(3);
  });

  it('abandons an attempt that does not open within connectTimeoutMs, a hung params provider included', async () => {
    const server = await ProtocolServer.start();
    let calls = 0;
    const { statuses, nextStatus } = testClient(server.url, {
      connectTimeoutMs: 50,
      params: () => (++calls === 1 ? new Promise<never>(() => undefined) : { attempt: String(calls) }),
    });
    const connection = await server.nextConnection();
    expect(connection.url.searchParams.get('attempt')).toBe('2');
    await nextStatus('open');
    expect(statuses.all[1]).toMatchObject({
      status: 'reconnecting',
      code: null,
      reason: 'no connection within 50 ms',
    });
  });

  it('abandons a handshake the server never answers', async () => {
    // A TCP server that accepts and says nothing: the upgrade never completes.
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as import('node:net').AddressInfo;
    try {
      const { statuses } = testClient(`ws://127.0.0.1:${port}/events`, { connectTimeoutMs: 50 });
      await statuses.next((event) => event.status === 'reconnecting', 'reconnecting');
      expect(statuses.all[1]).toMatchObject({ reason: 'no connection within 50 ms', code: null });
    } finally {
      await closeAllClients();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('reconnecting', () => {
  it('reconnects after the TCP connection drops (1006)', async () => {
    const server = await ProtocolServer.start();
    const { nextStatus } = testClient(server.url);
    await nextStatus('open');
    await (await server.nextConnection()).terminate();
    expect(await nextStatus('reconnecting')).toMatchObject({ code: 1006 });
    await server.nextConnection();
    await nextStatus('open');
  });

  it('reconnects to a server restarted on the same port', async () => {
    const server = await ProtocolServer.start();
    const { nextStatus } = testClient(server.url);
    await nextStatus('open');
    await server.stop();
    await nextStatus('reconnecting');
    // While it is down, attempts are refused and retried.
    await nextStatus('reconnecting');
    await server.restart();
    await server.nextConnection();
    await server.nextConnection();
    await nextStatus('open');
  });

  it.each([
    1001, 1011, 1013, 1005, 4000, 4500,
  ])('reconnects with backoff after the server closes with %i', async (code) => {
    const server = await ProtocolServer.start();
    const { nextStatus } = testClient(server.url);
    await nextStatus('open');
    // 1005 is what the client sees when the close frame carries no code.
    await (await server.nextConnection()).close(code === 1005 ? undefined : code, 'bye');
    expect(await nextStatus('reconnecting')).toMatchObject({ code, reason: code === 1005 ? '' : 'bye' });
    await server.nextConnection();
  });

  it.each([
    1000, 1002, 1003, 1007, 1008, 1009, 4400, 4401, 4403, 4429, 4499,
  ])('stops, without retrying, when the server closes with %i', async (code) => {
    const server = await ProtocolServer.start();
    const { client, statuses, errors, nextStatus } = testClient(server.url);
    await nextStatus('open');
    await (await server.nextConnection()).close(code, 'refused');
    const closed = await nextStatus('closed');
    expect(closed).toMatchObject({ code, reason: 'refused' });
    const error = (closed as { error: unknown }).error;
    expect(error).toBeInstanceOf(TerminalCloseError);
    expect(error).toMatchObject({ code: 'TERMINAL_CLOSE', closeCode: code, reason: 'refused' });
    expect(await errors.next()).toBe(error);
    // A retry would have been scheduled, and reported, in the same turn as the close.
    expect(statuses.all.map((event) => event.status)).toEqual(['connecting', 'open', 'closed']);
    expect(client.status).toBe('closed');
  });

  it('connects again on connect() after a terminal close', async () => {
    const server = await ProtocolServer.start();
    let token = 'expired';
    const { client, nextStatus } = testClient(server.url, { params: () => ({ token }) });
    await (await server.nextConnection()).close(4401, 'token expired');
    await nextStatus('closed');
    token = 'renewed';
    client.connect();
    expect((await server.nextConnection()).url.searchParams.get('token')).toBe('renewed');
    await nextStatus('open');
  });

  it('reconnects at once after a 1012 (drain), whatever the failures before', async () => {
    const server = await ProtocolServer.start();
    const { statuses, nextStatus } = testClient(server.url, {
      random: () => 0.5,
      // Failures are only forgotten after a minute open, so the backoff window keeps growing.
      reconnect: { minDelayMs: 10, maxDelayMs: 100_000, stableAfterMs: 60_000 },
    });
    await nextStatus('open');
    await server.stop();
    // Three failures: the dropped connection and two refused attempts (5, 10, 20 ms).
    for (let i = 0; i < 3; i += 1) await nextStatus('reconnecting');
    await server.restart();
    await nextStatus('open');
    await (await server.connections.next((c) => c.socket.readyState === WebSocket.OPEN)).close(
      1012,
      'restart',
    );
    expect(await nextStatus('reconnecting')).toMatchObject({ code: 1012, delayMs: 5 });
    await nextStatus('open');
    // The 1012 did not count as a failure, nor reset them: a fourth failure waits 0.5 * 10 * 2^3.
    await (await server.connections.next((c) => c.socket.readyState === WebSocket.OPEN)).close(1011);
    expect(await nextStatus('reconnecting')).toMatchObject({ code: 1011, delayMs: 40 });
    expect(
      statuses.all.flatMap((event) =>
        event.status === 'reconnecting' && event.code !== 1012 ? [event.delayMs] : [],
      ),
    ).toEqual([5, 10, 20, 40]);
  });

  it('draws each backoff delay from the injected randomness over a window that doubles up to maxDelayMs', async () => {
    const server = await ProtocolServer.start();
    const draws = [0.9, 0.5, 0.99, 0.1, 0.75, 0.5];
    const { nextStatus } = testClient(server.url, {
      random: () => draws.shift() ?? 0,
      reconnect: { minDelayMs: 4, maxDelayMs: 20, stableAfterMs: 60_000 },
    });
    await nextStatus('open');
    await server.stop();
    const delays: (number | null)[] = [];
    for (let i = 0; i < 6; i += 1) {
      const event = await nextStatus('reconnecting');
      delays.push(event.delayMs);
    }
    // Windows 4, 8, 16, 20, 20, 20 (capped), each scaled by its draw.
    expect(delays).toEqual([3, 4, 15, 2, 15, 10]);
  });

  it('starts the backoff over at open with stableAfterMs: 0', async () => {
    const server = await ProtocolServer.start();
    const { nextStatus } = testClient(server.url, {
      random: () => 0.5,
      reconnect: { minDelayMs: 8, maxDelayMs: 1000, stableAfterMs: 0 },
    });
    await nextStatus('open');
    await server.stop();
    expect((await nextStatus('reconnecting')).delayMs).toBe(4);
    expect((await nextStatus('reconnecting')).delayMs).toBe(8);
    await server.restart();
    await nextStatus('open');
    await (await server.connections.next((c) => c.socket.readyState === WebSocket.OPEN)).terminate();
    expect((await nextStatus('reconnecting')).delayMs).toBe(4);
  });

  it('starts the backoff over once a connection has stayed open stableAfterMs', async () => {
    const server = await ProtocolServer.start();
    const { nextStatus } = testClient(server.url, {
      random: () => 0.5,
      // The stable timer and the watchdog's idle timer start together at open with the same delay, and
      // Node runs timers of one delay in creation order: the first ping proves the reset has run.
      reconnect: { minDelayMs: 8, maxDelayMs: 1000, stableAfterMs: 2 },
      pingIdleMs: 2,
    });
    await nextStatus('open');
    await server.stop();
    expect((await nextStatus('reconnecting')).delayMs).toBe(4);
    expect((await nextStatus('reconnecting')).delayMs).toBe(8);
    await server.restart();
    await nextStatus('open');
    const connection = await server.connections.next((c) => c.socket.readyState === WebSocket.OPEN);
    await connection.pings.next();
    await connection.terminate();
    expect((await nextStatus('reconnecting')).delayMs).toBe(4);
  });

  it('stops after a lost connection with reconnect: false', async () => {
    const server = await ProtocolServer.start();
    const { statuses, nextStatus } = testClient(server.url, { reconnect: false });
    await nextStatus('open');
    await (await server.nextConnection()).terminate();
    expect(await nextStatus('closed')).toEqual({ status: 'closed', code: 1006, reason: '', error: null });
    expect(statuses.all.map((event) => event.status)).toEqual(['connecting', 'open', 'closed']);
  });

  /** A `ws` client that offers no subprotocol: it opens as a browser does on a server that accepts none. */
  class OpensWithoutSubprotocol extends WebSocket {
    // biome-ignore lint/complexity/noUselessConstructor: it drops the subprotocols the client offers
    constructor(url: string) {
      super(url);
    }
  }

  it.each([
    ['a WebSocket that opens anyway (browsers, undici)', OpensWithoutSubprotocol],
    ["ws's WebSocket, which fails the handshake", WebSocket],
  ])('stops with SubprotocolRefusedError on a route that is not an events route: %s', async (_what, WebSocketClass) => {
    const server = await ProtocolServer.start({ acceptSubprotocol: false });
    const { statuses, errors, nextStatus } = testClient(server.url, { WebSocket: WebSocketClass });
    const closed = await nextStatus('closed');
    const error = (closed as { error: unknown }).error;
    expect(error).toBeInstanceOf(SubprotocolRefusedError);
    expect((error as Error).message).toBe(
      `${server.url} accepted no subprotocol instead of arcade.events.v1: serve this route with handleEvents (@arcade/ws), not handleWebSocket`,
    );
    expect(await errors.next()).toBe(error);
    expect(statuses.all.map((event) => event.status)).toEqual(['connecting', 'closed']);
  });
});

describe('network events', () => {
  it('closes when the network goes offline, waits, and reconnects at once when it is back', async () => {
    const server = await ProtocolServer.start();
    const network = manualNetwork();
    // Backoff of a minute: only the online event can bring the connection back within the test.
    const { nextStatus } = testClient(server.url, {
      network: network.monitor,
      reconnect: { minDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    await nextStatus('open');
    const first = await server.nextConnection();
    network.set(false);
    expect(await nextStatus('reconnecting')).toEqual({
      status: 'reconnecting',
      code: null,
      reason: 'network offline',
      delayMs: null,
    });
    await first.closed;
    network.set(true);
    await server.nextConnection();
    await nextStatus('open');
  });

  it('waits for the network before the first attempt when it starts offline', async () => {
    const server = await ProtocolServer.start();
    const network = manualNetwork(false);
    const { statuses, nextStatus } = testClient(server.url, { network: network.monitor });
    expect(statuses.all.map((event) => event.status)).toEqual(['connecting', 'reconnecting']);
    network.set(true);
    await nextStatus('open');
    await server.nextConnection();
  });

  it('stops listening to the network on close()', async () => {
    const server = await ProtocolServer.start();
    const network = manualNetwork();
    const { client } = testClient(server.url, { network: network.monitor });
    expect(network.subscribed).toBe(true);
    await client.close();
    expect(network.subscribed).toBe(false);
  });
});

describe('close()', () => {
  it('closes the socket with 1000, reports closed, and refuses connect() afterwards', async () => {
    const server = await ProtocolServer.start();
    const { client, nextStatus } = testClient(server.url);
    await nextStatus('open');
    const connection = await server.nextConnection();
    await client.close();
    expect(await connection.closed).toEqual({ code: 1000, reason: 'client closed' });
    expect(await nextStatus('closed')).toEqual({
      status: 'closed',
      code: null,
      reason: 'close() was called',
      error: null,
    });
    expect(() => client.connect()).toThrow(expect.objectContaining({ code: 'CLIENT_CLOSED' }));
    expect(client.send('typing')).toBe('dropped');
  });

  it('cancels a connection attempt in progress and a pending retry', async () => {
    const server = await ProtocolServer.start();
    const { client, nextStatus } = testClient(server.url, {
      reconnect: { minDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    await nextStatus('open');
    await server.stop();
    await nextStatus('reconnecting');
    await client.close();
    expect(client.status).toBe('closed');
  });
});
