import type { Socket } from 'node:net';
import type { ArcadeServer } from '../src';
import { rawConnection, readUntilClosed, send, startApp } from './support/http';

// The HTTP limits of runServer (src/http-limits.ts): a client that trickles its headers or its body,
// or opens more connections than allowed, is cut off instead of holding the server's sockets. The
// timeouts here are short; each check only tells "cut at the configured bound" from "held for Node's
// defaults" (60 s for headers, 300 s for the request), so the margins are wide.
jest.setTimeout(20_000);

/** Far below Node's defaults, far above the configured bounds plus the 1 s timeout checks. */
const CUT_OFF_WITHIN_MS = 8000;

let server: ArcadeServer | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
});

async function start(options: Parameters<typeof startApp>[1]): Promise<ArcadeServer> {
  ({ server } = await startApp((app) => {
    app.route.get('/').handle(() => 'ok');
    app.route.post('/echo').handle(async (ctx) => ctx.body());
  }, options));
  return server;
}

async function open(target: ArcadeServer): Promise<{ socket: Socket; received: Promise<string> }> {
  const socket = await rawConnection(target);
  sockets.push(socket);
  return { socket, received: readUntilClosed(socket) };
}

/** Resolves what `received` resolves, or fails when the server kept the socket open past the bound. */
async function closedWithin<T>(received: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the server kept the connection open for more than ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([received, late]);
  } finally {
    clearTimeout(timer);
  }
}

it('answers 408 and closes a connection that does not finish its headers in headersTimeoutMs', async () => {
  const target = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
  const { socket, received } = await open(target);
  socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
  const interval = setInterval(() => socket.write('a'), 100);
  try {
    expect(await closedWithin(received, CUT_OFF_WITHIN_MS)).toMatch(/^HTTP\/1\.1 408 /);
  } finally {
    clearInterval(interval);
  }
});

it('answers 408 and closes a connection whose body trickles past requestTimeoutMs', async () => {
  const target = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
  const { socket, received } = await open(target);
  socket.write(
    'POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n',
  );
  const interval = setInterval(() => socket.write('x'), 100);
  try {
    const answer = await closedWithin(received, CUT_OFF_WITHIN_MS);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).not.toContain('x'.repeat(20));
  } finally {
    clearInterval(interval);
  }
});

it('serves requests that finish in time under the same limits', async () => {
  const target = await start({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
  expect((await send(target, '/')).text).toBe('ok');
  const echoed = await send(target, '/echo', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'hello',
  });
  expect(echoed.text).toBe('hello');
});

it('closes new connections beyond maxHttpConnections at once, warns once, and serves again below it', async () => {
  const started = await startApp(
    (app) => {
      app.route.get('/').handle(() => 'ok');
    },
    { maxHttpConnections: 2 },
  );
  server = started.server;
  const held = [await open(server), await open(server)];
  // Two half-sent requests hold both places.
  for (const { socket } of held) socket.write('GET / HTTP/1.1\r\n');
  const refused = [await open(server), await open(server)];
  for (const { received } of refused) expect(await closedWithin(received, CUT_OFF_WITHIN_MS)).toBe('');
  expect(started.logger.entries.filter((entry) => entry.message.includes('maxHttpConnections'))).toHaveLength(
    1,
  );
  for (const { socket } of held) socket.destroy();
  await Promise.all(held.map(({ received }) => received));
  expect((await send(server, '/')).text).toBe('ok');
});

it.each([
  [{ headersTimeoutMs: 0 }, /headersTimeoutMs must be a positive integer, got 0/],
  [{ requestTimeoutMs: -1 }, /requestTimeoutMs must be a positive integer/],
  [{ keepAliveTimeoutMs: 1.5 }, /keepAliveTimeoutMs must be a positive integer/],
  [{ maxHttpConnections: Number.NaN }, /maxHttpConnections must be a positive integer/],
  [
    { headersTimeoutMs: 5000, requestTimeoutMs: 1000 },
    /headersTimeoutMs \(5000\) must not exceed requestTimeoutMs \(1000\)/,
  ],
])('rejects %j before listening', async (options, message) => {
  await expect(startApp(() => {}, options)).rejects.toThrow(message);
});
