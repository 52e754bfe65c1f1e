import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type Socket, connect as tcpConnect } from 'node:net';
import { type App, type ArcadeServer, createApp, type ServerOptions } from '@arcade/core';
import { type ClientOptions, type RawData, WebSocket } from 'ws';
import '../../src/transport';
import type { ArcadeWebSocket } from '../../src/transport';
import { RecordingLogger } from '../support/recording-logger';

export interface TestServer {
  readonly app: App;
  readonly server: ArcadeServer;
  readonly logger: RecordingLogger;
  /** `ws://127.0.0.1:<port><path>` */
  url(path: string): string;
}

const servers = new Set<ArcadeServer>();
const clients = new Set<TestClient>();

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
  return { app, server, logger, url: (path) => `ws://127.0.0.1:${server.port}${path}` };
}

/** Closes every client and server opened by this file's tests (call it in afterEach). */
export async function closeAll(): Promise<void> {
  for (const client of clients) client.raw.terminate();
  await Promise.all([...clients].map((client) => client.closed));
  clients.clear();
  await Promise.all([...servers].map((server) => server.close()));
  servers.clear();
}

export interface Received {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

export interface CloseEvent {
  readonly code: number;
  readonly reason: string;
}

/** A ws client that queues every message from the start, so a test never misses one. */
export class TestClient {
  readonly raw: WebSocket;
  readonly closed: Promise<CloseEvent>;
  readonly pings: number[] = [];
  /** Headers of the 101 response. */
  upgradeHeaders: IncomingHttpHeaders = {};
  private readonly inbox: Received[] = [];
  private readonly readers: ((message: Received) => void)[] = [];

  private constructor(raw: WebSocket) {
    this.raw = raw;
    this.closed = new Promise((resolve) => {
      raw.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    raw.on('message', (data: RawData, isBinary: boolean) => {
      const message = { data: data as Buffer, isBinary };
      const reader = this.readers.shift();
      if (reader) reader(message);
      else this.inbox.push(message);
    });
    raw.on('ping', () => this.pings.push(this.pings.length + 1));
    raw.once('upgrade', (response) => {
      this.upgradeHeaders = response.headers;
    });
    raw.on('error', () => {
      // Reported through 'close' / 'unexpected-response'; an error listener keeps it from throwing.
    });
  }

  /** Opens a connection; rejects when the server refuses the upgrade. */
  static connect(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<TestClient> {
    const { protocols, ...clientOptions } = options;
    const raw = new WebSocket(url, protocols, clientOptions);
    const client = new TestClient(raw);
    clients.add(client);
    return new Promise((resolve, reject) => {
      raw.once('open', () => resolve(client));
      raw.once('unexpected-response', (_request, response) => {
        reject(new Error(`upgrade refused with ${response.statusCode}`));
        response.resume();
        raw.terminate();
      });
      raw.once('error', reject);
    });
  }

  /** The next message, already received or to come. */
  next(): Promise<Received> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.readers.push(resolve));
  }

  /** The next message as text. */
  async nextText(): Promise<string> {
    const message = await this.next();
    if (message.isBinary) throw new Error('expected a text frame, got a binary one');
    return message.data.toString('utf8');
  }

  /** Every message received and not read yet. */
  drain(): Received[] {
    return this.inbox.splice(0);
  }

  send(data: string | Uint8Array): void {
    this.raw.send(data);
  }
}

export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Answer to an upgrade request the server refuses (status line, headers and body). */
export function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const raw = new WebSocket(url, { headers });
  raw.on('error', () => {});
  return new Promise((resolve, reject) => {
    raw.once('open', () => {
      raw.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    raw.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body });
        raw.terminate();
      });
    });
  });
}

/** A plain HTTP GET (no upgrade), without keep-alive so nothing stays open. */
export function plainGet(url: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url.replace(/^ws/, 'http'), { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** A promise with its resolve function, for handing events from server code to the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
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
