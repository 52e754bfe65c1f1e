// Clients for the tests: `ws`'s WebSocket (Node 20 has no global one), no network monitor, short
// backoff, and every client and listener output recorded so that a test awaits what happened.
import { WebSocket } from 'ws';
import {
  type ArcadeClient,
  type ArcadeClientError,
  type ClientOptions,
  createClient,
  type JoinInfo,
  type StatusEvent,
} from '../../src/index';
import { AwaitableLog } from './awaitable-log';
import type { ChatEvents } from './chat-events';
import { ProtocolServer, type ServerConnection } from './protocol-server';

/** A client and what it reported. */
export interface Recorded<M extends ChatEvents = ChatEvents> {
  readonly client: ArcadeClient<M>;
  readonly statuses: AwaitableLog<StatusEvent>;
  readonly errors: AwaitableLog<ArcadeClientError>;
  readonly joins: AwaitableLog<{ room: string; info: JoinInfo }>;
  /** The next status event with that status. */
  nextStatus<S extends StatusEvent['status']>(status: S): Promise<Extract<StatusEvent, { status: S }>>;
}

const open = new Set<ArcadeClient<ChatEvents>>();

/** Short waits so that reconnection tests take milliseconds; a test overrides what it is about. */
export const fastOptions: ClientOptions = {
  WebSocket,
  network: null,
  reconnect: { minDelayMs: 5, maxDelayMs: 20, stableAfterMs: 0 },
};

/** Creates a client of `url` with {@link fastOptions} under `options`, recording its statuses, errors and joins. */
export function testClient(url: string, options: ClientOptions = {}): Recorded {
  const statuses = new AwaitableLog<StatusEvent>();
  const errors = new AwaitableLog<ArcadeClientError>(
    (error) => `${error.name} ${error.code}: ${error.message}`,
  );
  const joins = new AwaitableLog<{ room: string; info: JoinInfo }>();
  // Listeners first, then the connection: autoConnect would report 'connecting' before they exist.
  const client = createClient<ChatEvents>(url, { ...fastOptions, ...options, autoConnect: false });
  client.onStatus((event) => statuses.push(event));
  client.onError((error) => errors.push(error));
  client.onJoin((room, info) => joins.push({ room, info }));
  open.add(client);
  if (options.autoConnect !== false) client.connect();
  return {
    client,
    statuses,
    errors,
    joins,
    nextStatus: (status) => statuses.next((event) => event.status === status, `status "${status}"`) as never,
  };
}

/** A new protocol server and a {@link testClient} of it, once its connection is open. */
export async function openClient(
  options: ClientOptions = {},
): Promise<Recorded & { server: ProtocolServer; connection: ServerConnection }> {
  const server = await ProtocolServer.start();
  const recorded = testClient(server.url, options);
  const connection = await server.nextConnection();
  await recorded.nextStatus('open');
  return { ...recorded, server, connection };
}

/** Closes every client of this test file still open (an `afterEach`). */
export async function closeAllClients(): Promise<void> {
  const clients = [...open];
  open.clear();
  await Promise.all(clients.map((client) => client.close()));
}
