import { connect, type Socket } from 'node:net';
import { type HttpAnswer, type HttpRequestOptions, httpRequest, RecordingLogger } from '@arcade/test-support';
import { type App, type ArcadeServer, createApp, type ServerOptions } from '../../src';

/** One request to `server` on a fresh connection (the shared `httpRequest`, path sent as written). */
export function send(
  server: ArcadeServer,
  path: string,
  options: HttpRequestOptions = {},
): Promise<HttpAnswer> {
  return httpRequest(`http://127.0.0.1:${server.port}${path}`, options);
}

/** Starts a fresh app on an ephemeral port of 127.0.0.1 with a recording logger. */
export async function startApp(
  defineRoutes: (app: App) => void,
  options: Partial<ServerOptions> = {},
): Promise<{ app: App; server: ArcadeServer; logger: RecordingLogger }> {
  const app = createApp();
  const logger = new RecordingLogger();
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

/** Writes `data` on a fresh raw connection and resolves with everything received until it closes. */
export async function exchange(server: ArcadeServer, data: string): Promise<string> {
  const socket = await rawConnection(server);
  const received = readUntilClosed(socket);
  socket.write(data);
  return received;
}
