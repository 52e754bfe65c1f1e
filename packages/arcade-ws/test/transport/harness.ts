import { type Socket, connect as tcpConnect } from 'node:net';
import { type App, type ArcadeServer, createApp, type ServerOptions } from '@arcade/core';
import { RecordingLogger, TestClient } from '@arcade/test-support';
import '../../src/index';
import type { ArcadeWebSocket } from '../../src/index';

export interface TestServer {
  readonly app: App;
  readonly server: ArcadeServer;
  readonly logger: RecordingLogger;
  /** `ws://127.0.0.1:<port><path>` */
  url(path: string): string;
  /** `http://127.0.0.1:<port><path>`, for plain requests. */
  httpUrl(path: string): string;
}

const servers = new Set<ArcadeServer>();

/** Starts an isolated app on an ephemeral port; `closeAll()` stops it. */
export async function startServer(
  defineRoutes: (app: App) => void,
  options: Partial<ServerOptions> = {},
): Promise<TestServer> {
  const app = createApp();
  const logger = new RecordingLogger();
  const server = await app.runServer({
    port: 0,
    host: '127.0.0.1',
    logger,
    init: () => defineRoutes(app),
    ...options,
  });
  servers.add(server);
  return {
    app,
    server,
    logger,
    url: (path) => `ws://127.0.0.1:${server.port}${path}`,
    httpUrl: (path) => `http://127.0.0.1:${server.port}${path}`,
  };
}

/** Drops every client and closes every server opened by this file's tests (call it in afterEach). */
export async function closeAll(): Promise<void> {
  await TestClient.terminateAll();
  await Promise.all([...servers].map((server) => server.close()));
  servers.clear();
}

/**
 * An `onConnect` that greets the client with `ready` and holds the connection in onConnect until the
 * socket has closed, so that everything the client sends meanwhile arrives before `listen`.
 */
export async function sayReadyAndHoldUntilClosed(_ctx: unknown, websocket: ArcadeWebSocket): Promise<void> {
  const gone = new Promise((resolve) => websocket.raw.once('close', resolve));
  websocket.add('ready');
  await gone;
}

/**
 * A raw TCP peer that completes the handshake and then does only what the test writes (frames built
 * with {@link clientFrame}); it answers nothing by itself.
 */
export function rawPeer(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.once('data', (chunk: Buffer) => {
      if (chunk.toString('latin1').startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(`handshake refused: ${chunk.toString('latin1').split('\r\n')[0]}`));
    });
    socket.on('error', () => {
      // The server destroys this socket at shutdown; 'close' is what the test waits for.
    });
  });
}

/** One masked client frame (zero mask key, as RFC 6455 allows), FIN set; payloads under 126 bytes. */
export function clientFrame(opcode: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const bytes = Buffer.from(payload);
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | bytes.length, 0, 0, 0, 0]), bytes]);
}
