// Starting and stopping an example in the test's process, with the clients a test opens.
import type { ArcadeServer } from '@arcade/core';
import {
  type ConnectOptions,
  type HttpAnswer,
  type HttpRequestOptions,
  httpRequest,
  RecordingLogger,
  TestClient,
  waitFor,
} from '@arcade/test-support';
import { WebSocketManager } from '@arcade/ws';
import type { ExampleOptions } from '../../src/run-example';

/** A JSON message with a `type`, as most examples send. */
export interface Typed {
  readonly type: string;
}

/** The next JSON frame of `client` whose `type` is `type` (frames before it stay pending). */
export function nextOfType<T extends Typed = Typed & Record<string, unknown>>(
  client: TestClient,
  type: T['type'],
): Promise<T> {
  return client.nextJson<T>((value) => value.type === type);
}

/** An example's `start` function; `E` are its own options, besides where to listen and log. */
export type StartExample<E extends object> = (options: ExampleOptions & E) => Promise<ArcadeServer>;

/** An example listening on a free port of 127.0.0.1. */
export interface RunningExample {
  readonly server: ArcadeServer;
  /** What the example logged (it logs nothing to the console). */
  readonly logger: RecordingLogger;
  /** `ws://127.0.0.1:<port><path>` */
  wsUrl(path: string): string;
  /** Opens a WebSocket client, closed by {@link RunningExample.closeClients}. */
  connect(path: string, options?: ConnectOptions): Promise<TestClient>;
  /** Opens a client and reads the first JSON frame of `type` the server sends it. */
  connectFor<T extends Typed>(
    path: string,
    type: T['type'],
    options?: ConnectOptions,
  ): Promise<{ client: TestClient; first: T }>;
  /** One HTTP request to the example. */
  request(path: string, options?: HttpRequestOptions): Promise<HttpAnswer>;
  /** A POST of `body` (sent as JSON unless a string) to the example. */
  post(path: string, body: unknown): Promise<HttpAnswer>;
  /** Closes every client opened so far and waits until the server has seen them all go. */
  closeClients(): Promise<void>;
  /** Closes the clients, then the server. */
  close(): Promise<void>;
}

/** Starts an example on port 0 with a recording logger; `options` adds the example's own options. */
export async function startExample<E extends object>(
  start: StartExample<E>,
  options?: E,
): Promise<RunningExample> {
  const logger = new RecordingLogger();
  const server = await start({ ...(options as E), port: 0, host: '127.0.0.1', logger });
  const clients = new Set<TestClient>();
  const wsUrl = (path: string) => `ws://127.0.0.1:${server.port}${path}`;
  const request = (path: string, requestOptions?: HttpRequestOptions) =>
    httpRequest(`http://127.0.0.1:${server.port}${path}`, requestOptions);
  const closeClients = async () => {
    await Promise.all([...clients].map((client) => client.close()));
    clients.clear();
    await waitFor(() => WebSocketManager.getConnectedIds().length === 0, {
      description: 'the server to see every client go',
    });
  };
  const connect = async (path: string, connectOptions?: ConnectOptions) => {
    const client = await TestClient.connect(wsUrl(path), connectOptions);
    clients.add(client);
    return client;
  };
  return {
    server,
    logger,
    wsUrl,
    connect,
    async connectFor<T extends Typed>(path: string, type: T['type'], connectOptions?: ConnectOptions) {
      const client = await connect(path, connectOptions);
      return { client, first: await nextOfType<T>(client, type) };
    },
    request,
    post: (path, body) => request(path, { method: 'POST', body }),
    closeClients,
    async close() {
      await closeClients();
      await server.close();
    },
  };
}

/**
 * Runs an example for the whole test file (examples use the module-level app, which runs one server
 * at a time): started before the first test, each test's clients closed after it, stopped after the
 * last. `options` is read when the example starts (after the file's earlier `beforeAll` hooks).
 */
export function useExample<E extends object>(
  start: StartExample<E>,
  options?: () => E,
): () => RunningExample {
  let running: RunningExample | undefined;
  beforeAll(async () => {
    running = await startExample(start, options?.());
  });
  afterEach(() => running?.closeClients());
  afterAll(() => running?.close());
  return () => {
    if (running === undefined) throw new Error('the example did not start');
    return running;
  };
}
