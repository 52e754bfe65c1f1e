import { type App, defaultApp, type ServerOptions } from '@arcade/core';
import { Registry } from '../registry/registry';
import { AppTransport } from './app-transport';

const managers = new WeakMap<App, WebSocketManager>();

/**
 * The WebSocket side of one app: its registry (connections, rooms, storage) and its transport (the
 * upgraded sockets), wired to the app's server lifecycle. Whatever first touches an app's WebSocket
 * state (`WebSocketManager.of(app)`, `initializeWebSocketStorage`, an emit, a WebSocket route) creates
 * it, and with it the server start and close hooks, once: an app with HTTP routes only still gets its
 * server-wide `webSocket` options applied and its storage left and disposed on `server.close()`.
 */
export class WebSocketManager extends Registry {
  /** The app's upgraded sockets: WebSocket routes hand their upgrades to it. */
  readonly transport: AppTransport;

  private constructor(app: App) {
    super(() => app.logger);
    this.transport = new AppTransport(app, this);
    app.onServerStart((_server, options) => this.start(options));
    app.onServerClose(() => this.close());
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

  /** At server start: validates and applies the server-wide options, then makes sure a storage is ready. */
  private async start(serverOptions: ServerOptions): Promise<void> {
    const { maxRoomsPerConnection, maxMetadataBytes, instanceLeaseMs, history } =
      this.transport.start(serverOptions);
    this.configure({ maxRoomsPerConnection, maxMetadataBytes, instanceLeaseMs, history });
    await this.ensureStorage();
  }

  /** At server close: the sockets first (bounded by `shutdownTimeoutMs`), then the storage. */
  private async close(): Promise<void> {
    await this.transport.close();
    await this.shutdown();
  }
}
