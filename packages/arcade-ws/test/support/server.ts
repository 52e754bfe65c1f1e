import { type App, type ArcadeServer, createApp, type ServerOptions } from '@arcade/core';
import {
  type ConnectOptions,
  type HttpAnswer,
  type HttpRequestOptions,
  httpRequest,
  RecordingLogger,
  TestClient,
} from '@arcade/test-support';
import '@arcade/ws';

/** A running isolated app on an ephemeral port, with its open clients closed by {@link TestServer.close}. */
export interface TestServer {
  readonly app: App;
  readonly server: ArcadeServer;
  readonly logger: RecordingLogger;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port><path>` */
  wsUrl(path: string): string;
  /** Opens a client that is closed with the server. */
  connect(path: string, options?: ConnectOptions): Promise<TestClient>;
  /** One HTTP request to this server. */
  request(path: string, options?: HttpRequestOptions): Promise<HttpAnswer>;
  /** Closes every client opened through {@link connect}, then the server. */
  close(): Promise<void>;
}

/**
 * Starts `createApp()` on port 0 of 127.0.0.1. `setup` runs before `runServer` (storage
 * initialization goes there); `defineRoutes` runs as the server's `init`.
 */
export async function startServer(
  defineRoutes: (app: App) => void,
  options: {
    setup?: (app: App) => void | Promise<void>;
    serverOptions?: Partial<Omit<ServerOptions, 'port' | 'init'>>;
  } = {},
): Promise<TestServer> {
  const app = createApp();
  const logger = new RecordingLogger();
  await options.setup?.(app);
  const server = await app.runServer({
    host: '127.0.0.1',
    logger,
    ...options.serverOptions,
    port: 0,
    init: () => defineRoutes(app),
  });
  const url = `http://127.0.0.1:${server.port}`;
  const clients = new Set<TestClient>();
  const wsUrl = (path: string) => `ws://127.0.0.1:${server.port}${path}`;
  return {
    app,
    server,
    logger,
    url,
    wsUrl,
    async connect(path, connectOptions) {
      const client = await TestClient.connect(wsUrl(path), connectOptions);
      clients.add(client);
      return client;
    },
    request: (path, requestOptions) => httpRequest(`${url}${path}`, requestOptions),
    async close() {
      await Promise.all([...clients].map((client) => client.close()));
      await server.close();
    },
  };
}
