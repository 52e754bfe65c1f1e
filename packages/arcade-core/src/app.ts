import { type ReadinessCheck, ReadinessChecks } from './health';
import { adaptLogger, createConsoleLogger, type Logger } from './logger';
import { resolveMetricsOptions, ServerMetrics } from './metrics';
import type { ArcadeMetrics } from './metrics-types';
import { RouteTable } from './route-table';
import { Router } from './router/router';
import { startServer } from './server';
import type { ArcadeServer, ServerCloseListener, ServerOptions, ServerStartListener } from './server-options';

/** Options of {@link createApp}. */
export interface AppOptions {
  /**
   * Where the app and its plugins log before (and unless) `runServer` is given another logger; plugins
   * used without a server, such as a WebSocket registry in a unit test, log here too. A pino logger
   * may be passed as it is.
   * @default a console logger at level `info`
   */
  logger?: Logger;
}

/**
 * An Arcade application: its routes, hooks and plugin listeners, and at most one running server.
 * `createApp()` makes an isolated one; the module-level `route` and `runServer` use `defaultApp`.
 * Exported as a class so plugins can add methods to its prototype (see docs/plugins.md).
 */
export class App {
  /** Defines this app's routes. */
  readonly route: Router;
  readonly #table: RouteTable;
  readonly #startListeners: ServerStartListener[] = [];
  readonly #closeListeners: ServerCloseListener[] = [];
  readonly #readinessChecks = new ReadinessChecks();
  #logger: Logger = createConsoleLogger();
  #metrics: ServerMetrics | undefined;
  /** True from the start of `runServer` until its server has closed (or failed to start). */
  #busy = false;

  constructor(options: AppOptions = {}) {
    if (options.logger !== undefined) this.#logger = adaptLogger(options.logger);
    this.#table = new RouteTable(() => this.#logger);
    this.route = new Router(this, this.#table);
  }

  /**
   * The logger in use: `runServer`'s `options.logger` once it was called with one, else the one given
   * to `createApp`, else the console default. A pino logger given to either is seen here through a
   * view that calls it with the fields first (see `adaptLogger`).
   */
  get logger(): Logger {
    return this.#logger;
  }

  /**
   * The metrics of the running server: set from the start of `runServer({ metrics })` (start listeners
   * see it) until the server has closed; `undefined` without the option. Plugins add their metrics here.
   */
  get metrics(): ArcadeMetrics | undefined {
    return this.#metrics;
  }

  /**
   * Adds a check to the readiness of this app's servers (`/readyz` with `runServer({ health })`, and
   * `server.readiness()`): the server is ready only while every check is. Register it once, like the
   * other plugin hooks; it holds for every later run.
   * @throws TypeError for an empty name, a name already registered, or a check that is not a function
   */
  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.#readinessChecks.add(name, check);
  }

  /**
   * Runs `init`, starts the plugins (`onServerStart`) and listens. Resolves once listening.
   * @throws Error when this app already runs a server (use `createApp()` for another).
   */
  async runServer(options: ServerOptions): Promise<ArcadeServer> {
    if (this.#busy) {
      throw new Error('This app already runs a server: close it first, or use createApp() for a second one');
    }
    this.#busy = true;
    try {
      if (options.logger !== undefined) this.#logger = adaptLogger(options.logger);
      // Before init() and the start listeners, so that plugins find it; prom-client loads only here.
      this.#metrics =
        options.metrics === undefined
          ? undefined
          : new ServerMetrics(resolveMetricsOptions(options.metrics), () => this.#logger);
      return await startServer({
        options,
        table: this.#table,
        logger: this.#logger,
        startListeners: this.#startListeners,
        closeListeners: this.#closeListeners,
        readinessChecks: this.#readinessChecks,
        metrics: this.#metrics,
        onClosed: () => this.#ended(),
      });
    } catch (error) {
      this.#ended();
      throw error;
    }
  }

  /** The server closed or could not start: its metrics leave the registry, the app may run again. */
  #ended(): void {
    this.#metrics?.dispose();
    this.#metrics = undefined;
    this.#busy = false;
  }

  /**
   * Plugin hook: `listener` is awaited in `runServer` after `init()` ran and before the server
   * listens, with the HTTP server and the options.
   */
  onServerStart(listener: ServerStartListener): void {
    this.#startListeners.push(listener);
  }

  /**
   * Plugin hook: `listener` is awaited during `close()`, concurrently with the HTTP drain and
   * bounded by `shutdownTimeoutMs`. A failing listener is logged and does not stop the others. It is
   * told why the server closes: `{ reason: 'drain' }` after `server.drain()`.
   */
  onServerClose(listener: ServerCloseListener): void {
    this.#closeListeners.push(listener);
  }
}

/** A new, isolated app: its own routes, hooks, listeners and server. */
export function createApp(options?: AppOptions): App {
  return new App(options);
}

/** The app behind the module-level `route` and `runServer`. */
export const defaultApp: App = createApp();

/** The default app's router: `route.get('/').handle(() => 'Hello')`. */
export const route: Router = defaultApp.route;

/** Starts the default app's server (see {@link App.runServer}). */
export function runServer(options: ServerOptions): Promise<ArcadeServer> {
  return defaultApp.runServer(options);
}
