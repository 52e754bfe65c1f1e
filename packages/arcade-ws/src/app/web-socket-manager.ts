import type { CacheManager } from '@arcade/cache';
import {
  type App,
  defaultApp,
  type ReadinessCheckResult,
  type ServerCloseContext,
  type ServerOptions,
} from '@arcade/core';
import { InstrumentedCache } from '../operations/instrumented-cache';
import { StorageMetrics } from '../operations/storage-metrics';
import { addStorageReadiness } from '../operations/storage-readiness';
import type { EmitToRoomOptions, WebSocketStorageOptions } from '../registry/options';
import { Registry } from '../registry/registry';
import type { RoomPosition } from '../registry/room-history';
import type { EmitArguments, EncodedMessage } from '../transport/message';
import { type EmitKind, WebSocketMetrics } from '../transport/web-socket-metrics';
import { AppTransport } from './app-transport';

const managers = new WeakMap<App, WebSocketManager>();

/**
 * The WebSocket side of one app: its registry (connections, rooms, storage) and its transport (the
 * upgraded sockets), wired to the app's server lifecycle. Whatever first touches an app's WebSocket
 * state (`WebSocketManager.of(app)`, `initializeWebSocketStorage`, an emit, a WebSocket route) creates
 * it, and with it the server start and close hooks and the storage readiness check, once: an app with
 * HTTP routes only still gets its server-wide `webSocket` options applied and its storage left and
 * disposed on `server.close()`.
 */
export class WebSocketManager extends Registry {
  /** The app's upgraded sockets: WebSocket routes hand their upgrades to it. */
  readonly transport: AppTransport;
  private readonly app: App;
  /** The app's storage as the registry uses it (measured when metrics are on); none for the private store. */
  private storage: InstrumentedCache | undefined;
  /** One wrapper per cache, so that using a cache again is recognised as the same storage. */
  private readonly wrappers = new WeakMap<CacheManager, InstrumentedCache>();
  private storageMetrics: StorageMetrics | undefined;

  private constructor(app: App) {
    super(() => app.logger);
    this.app = app;
    this.transport = new AppTransport(app, this);
    app.onServerStart((_server, options) => this.start(options));
    app.onServerClose((context) => this.close(context));
    addStorageReadiness(app, () => this.storageReadiness());
  }

  /** The manager of an app (one per App, created on first use). */
  static of(app: App): WebSocketManager {
    let manager = managers.get(app);
    if (!manager) {
      manager = new WebSocketManager(app);
      managers.set(app, manager);
    }
    return manager;
  }

  /** Ids of the connections open on this instance (default app). */
  static getConnectedIds(): string[] {
    return WebSocketManager.of(defaultApp).getConnectedIds();
  }

  /** Attaches local, in-process data to a connection of this instance (default app); kept until after the `after` hooks. */
  static setConnectionData(id: string, data: unknown): void {
    WebSocketManager.of(defaultApp).setConnectionData(id, data);
  }

  /** The data given to `setConnectionData` (default app); still readable in `after` hooks. */
  static getConnectionData(id: string): unknown {
    return WebSocketManager.of(defaultApp).getConnectionData(id);
  }

  // ---- the storage, measured -------------------------------------------------------------------------

  override initializeWebSocketStorage(
    cache?: CacheManager,
    options?: WebSocketStorageOptions,
  ): Promise<void> {
    // Anything but an object goes through as is: the registry refuses it with its own message.
    const storage = typeof cache === 'object' && cache !== null ? this.wrap(cache) : undefined;
    if (storage !== this.storage) this.storage?.detach();
    this.storage = storage;
    if (storage !== undefined && this.storageMetrics !== undefined) storage.attach(this.storageMetrics);
    return super.initializeWebSocketStorage(storage ?? cache, options);
  }

  override disposeWebSocketStorage(): Promise<void> {
    this.storage?.detach();
    this.storage = undefined;
    return super.disposeWebSocketStorage();
  }

  private wrap(cache: CacheManager): InstrumentedCache {
    if (cache instanceof InstrumentedCache) return cache;
    let wrapper = this.wrappers.get(cache);
    if (wrapper === undefined) {
      wrapper = new InstrumentedCache(cache);
      this.wrappers.set(cache, wrapper);
    }
    return wrapper;
  }

  /** Ready while the shared storage is reachable (always with the private in-memory store). */
  private storageReadiness(): ReadinessCheckResult {
    const status = this.storage?.status ?? 'ready';
    return status === 'ready'
      ? { ready: true }
      : { ready: false, reason: `the WebSocket storage is ${status}` };
  }

  // ---- emits, counted by kind --------------------------------------------------------------------------

  override emitToRoom(
    room: string,
    message: unknown,
    options: EmitToRoomOptions & { history: true },
  ): Promise<RoomPosition>;
  override emitToRoom(
    room: string,
    message: unknown,
    options?: EmitToRoomOptions,
  ): Promise<RoomPosition | undefined>;
  override emitToRoom(
    room: string,
    message: unknown,
    options?: EmitToRoomOptions,
  ): Promise<RoomPosition | undefined> {
    this.countEmit(
      (options as { history?: unknown } | null | undefined)?.history === true ? 'history' : 'room',
    );
    return super.emitToRoom(room, message, options);
  }

  /** Where `emitToAll` and the typed `toAll` emits meet: counted here, once. */
  override broadcast(payload: EncodedMessage, exclude: readonly string[] | undefined): Promise<void> {
    this.countEmit('all');
    return super.broadcast(payload, exclude);
  }

  override emitToConnection(id: string, ...args: EmitArguments): Promise<boolean> {
    this.countEmit('connection');
    return super.emitToConnection(id, ...args);
  }

  override emitTo(id: string, ...args: EmitArguments): boolean {
    this.countEmit('local');
    return super.emitTo(id, ...args);
  }

  private countEmit(kind: EmitKind): void {
    const metrics = this.transport.metrics;
    if (metrics !== undefined) metrics.emits[kind] += 1;
  }

  // ---- server lifecycle --------------------------------------------------------------------------------

  /**
   * At server start: validates and applies the server-wide options, makes this run's metrics when the
   * server has some, then makes sure a storage is ready.
   */
  private async start(serverOptions: ServerOptions): Promise<void> {
    const { maxRoomsPerConnection, maxMetadataBytes, instanceLeaseMs, history } =
      this.transport.start(serverOptions);
    this.configure({ maxRoomsPerConnection, maxMetadataBytes, instanceLeaseMs, history });
    const metrics = this.app.metrics;
    if (metrics !== undefined) {
      this.transport.metrics = new WebSocketMetrics(metrics, {
        openSockets: () => this.transport.openSocketCount,
        localRooms: () => this.localRooms(),
      });
      this.storageMetrics = new StorageMetrics(metrics, () => this.storageReadiness().ready);
      this.storage?.attach(this.storageMetrics);
    }
    await this.ensureStorage();
  }

  /**
   * At server close: the sockets first (1012 for a drain, bounded by `shutdownTimeoutMs`), then the
   * storage (this instance's keys removed), then the run's metrics.
   */
  private async close(context: ServerCloseContext): Promise<void> {
    try {
      await this.transport.close(context.reason);
      await this.shutdown();
    } finally {
      this.transport.metrics = undefined;
      this.storage?.detach();
      this.storageMetrics = undefined;
    }
  }

  /** Local rooms and memberships, read at each scrape: counted from the local index, no record built. */
  private async localRooms(): Promise<{ rooms: number; members: number }> {
    return this.localRoomCounts();
  }
}
