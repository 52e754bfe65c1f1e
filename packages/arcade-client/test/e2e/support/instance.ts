// A real @arcade/ws server in this process (createApp + runServer on 127.0.0.1), serving the routes of
// e2e-events.ts: on a port of its own or a given one (a restart comes back where the clients look), on
// its private store or on a Redis (a new RedisCacheManager per start: a closed server disposes its own).
import { RedisCacheManager } from '@arcade/cache-redis';
import { type App, type ArcadeServer, createApp } from '@arcade/core';
import { RecordingLogger } from '@arcade/test-support';
import { eventEmitter, type RoomPosition, WebSocketManager } from '@arcade/ws';
import { defineE2eRoutes, type E2eEvents, type ServerSeen } from './e2e-events';

/** Options of {@link Instance.start}. */
export interface InstanceOptions {
  /** The URL of the Redis that keeps the instance's storage; the private store when omitted. */
  readonly redis?: string;
  /** The port to listen on. @default a free one */
  readonly port?: number;
  /** How many messages a room's history keeps (`webSocket.history.size`). @default 100 */
  readonly historySize?: number;
}

/** One running server, until {@link Instance.close}, {@link Instance.drain} or {@link Instance.restart}. */
export class Instance {
  /** Instances of this test file still running. */
  private static readonly running = new Set<Instance>();
  private closing: Promise<void> | undefined;

  private constructor(
    readonly app: App,
    readonly server: ArcadeServer,
    private readonly options: InstanceOptions,
    /** What the server logged (quiet tests; a failure can show it). */
    readonly logger: RecordingLogger,
    readonly seen: ServerSeen,
    /** The Redis storage, when the instance has one. */
    readonly storage: RedisCacheManager | undefined,
  ) {}

  static async start(options: InstanceOptions = {}): Promise<Instance> {
    const app = createApp();
    const logger = new RecordingLogger();
    // The adapter's warnings (Redis down, back) go to the instance's logger: tests stay quiet.
    const storage =
      options.redis === undefined ? undefined : new RedisCacheManager({ url: options.redis, logger });
    if (storage) await app.initializeWebSocketStorage(storage);
    const seen: ServerSeen = { params: [], posts: [] };
    const server = await app.runServer({
      host: '127.0.0.1',
      port: options.port ?? 0,
      logger,
      // The server's own defaults (rate limit, heartbeat, limits) but the history size: what users run.
      ...(options.historySize === undefined ? {} : { webSocket: { history: { size: options.historySize } } }),
      init: () => defineE2eRoutes(app, seen),
    });
    const instance = new Instance(app, server, options, logger, seen, storage);
    Instance.running.add(instance);
    return instance;
  }

  /** Closes every instance of this test file still running (an `afterEach`). */
  static async closeAll(): Promise<void> {
    await Promise.all([...Instance.running].map((instance) => instance.close()));
  }

  get port(): number {
    return this.server.port;
  }

  /** `ws://127.0.0.1:<port><path>` */
  url(path = '/events'): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  /** The app's registry: what the events routes call (its `getRoomHistory` is the read a test holds). */
  get registry(): WebSocketManager {
    return WebSocketManager.of(this.app);
  }

  /** Emits lines `from..to` to `room` with history, one after the other; resolves the last position. */
  async emitLines(room: string, from: number, to: number): Promise<RoomPosition> {
    const lines = eventEmitter<E2eEvents>(this.app).toRoom(room, { history: true });
    let position: RoomPosition | undefined;
    for (let n = from; n <= to; n += 1) position = await lines.emit('line', { n });
    if (!position) throw new Error(`emitLines(${room}, ${from}, ${to}): nothing to emit`);
    return position;
  }

  /** The `n` of every line the room's history holds, oldest first. */
  async historyOf(room: string): Promise<number[]> {
    const { messages } = await this.app.getRoomHistory(room);
    return messages.map(({ message }) => (JSON.parse(String(message)) as { data: { n: number } }).data.n);
  }

  /** Closes the server (its WebSocket clients get 1001); idempotent. */
  close(): Promise<void> {
    this.closing ??= this.server.close().finally(() => Instance.running.delete(this));
    return this.closing;
  }

  /** Drains the server (its WebSocket clients get 1012), then it is closed. */
  drain(): Promise<void> {
    this.closing ??= this.server.drain({ delayMs: 0 }).finally(() => Instance.running.delete(this));
    return this.closing;
  }

  /** Closes this server and starts a new one with the same options, on the same port (a private store starts empty). */
  async restart(): Promise<Instance> {
    await this.close();
    return Instance.start({ ...this.options, port: this.port });
  }
}
