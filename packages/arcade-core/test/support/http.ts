import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { type App, type ArcadeServer, createApp, type Logger, type ServerOptions } from '../../src';

/** A response read to its end. */
export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  bytes: Buffer;
  json(): unknown;
}

/** Options of {@link send}. */
export interface SendOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

/** One request on a fresh connection (no agent, so nothing stays open). */
export function send(server: ArcadeServer, path: string, options: SendOptions = {}): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            bytes,
            json: () => JSON.parse(text),
          });
        });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** A logger that records every entry, for assertions. */
export interface RecordingLogger extends Logger {
  entries: { level: string; message: string; fields?: Record<string, unknown> }[];
}

export function recordingLogger(): RecordingLogger {
  const entries: RecordingLogger['entries'] = [];
  const record =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      entries.push({ level, message, fields });
    };
  return {
    entries,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
}

/** Starts a fresh app on an ephemeral port of 127.0.0.1 with a recording logger. */
export async function startApp(
  defineRoutes: (app: App) => void,
  options: Partial<ServerOptions> = {},
): Promise<{ app: App; server: ArcadeServer; logger: RecordingLogger }> {
  const app = createApp();
  const logger = recordingLogger();
  const server = await app.runServer({
    port: 0,
    host: '127.0.0.1',
    logger,
    init: () => defineRoutes(app),
    ...options,
  });
  return { app, server, logger };
}

/** Opens a raw TCP connection to the server. */
export function rawConnection(server: ArcadeServer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything a raw socket receives until the server closes it. */
export function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** A promise with its resolve function, to wait on events instead of sleeping. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Writes `data` on a fresh raw connection and resolves with everything received until it closes. */
export async function exchange(server: ArcadeServer, data: string): Promise<string> {
  const socket = await rawConnection(server);
  const received = readUntilClosed(socket);
  socket.write(data);
  return received;
}
