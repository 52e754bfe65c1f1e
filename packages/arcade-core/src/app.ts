import { type ReadinessCheck, ReadinessChecks } from './health';
import type { AfterHook, BeforeHook, RouteHandler, UpgradeHandler } from './hooks';
import { adaptLogger, createConsoleLogger, type Logger } from './logger';
import { resolveMetricsOptions, ServerMetrics } from './metrics';
import type { ArcadeMetrics } from './metrics-types';
import type { RequestContext } from './request-context';
import {
  draftRoute,
  nestedScope,
  type RouteDraft,
  type RouteScope,
  registerRoute,
} from './route-registration';
import { type RouteRecord, RouteTable } from './route-table';
import { startServer } from './server';
import type { ArcadeServer, ServerCloseListener, ServerOptions, ServerStartListener } from './server-options';

// App, Router and RouteBuilder live in one file because their public types refer to one another in a
// loop (`app.route` is a Router, `route.get()` a RouteBuilder, `builder.app` the App): split over
// files, that loop is an import cycle. How routes are drafted and registered is in route-registration.ts.

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

/** Options of {@link Router.group}. */
export interface GroupOptions {
  /** Defines the group's routes on a router whose paths start with the prefix. */
  defineRoutes: (route: Router) => void;
  /**
   * Before hooks of every route of the group, after the global ones and before the route's own.
   * @default []
   */
  before?: BeforeHook[];
  /**
   * After hooks of every route of the group, after the global ones and before the route's own.
   * @default []
   */
  after?: AfterHook[];
}

/** Defines the routes of an app: `route.get('/users/:id').handle(...)`. */
export class Router {
  readonly #app: App;
  readonly #table: RouteTable;
  readonly #scope: RouteScope;

  /** @internal Use `app.route` (or the module-level `route`). */
  constructor(app: App, table: RouteTable, scope: RouteScope = { prefix: [], before: [], after: [] }) {
    this.#app = app;
    this.#table = table;
    this.#scope = scope;
  }

  /** A GET route (also answers HEAD, without the body, unless a HEAD route exists). */
  get(path: string): RouteBuilder {
    return this.#route('GET', path);
  }
  /** A POST route. */
  post(path: string): RouteBuilder {
    return this.#route('POST', path);
  }
  /** A PUT route. */
  put(path: string): RouteBuilder {
    return this.#route('PUT', path);
  }
  /** A PATCH route. */
  patch(path: string): RouteBuilder {
    return this.#route('PATCH', path);
  }
  /** A DELETE route. */
  delete(path: string): RouteBuilder {
    return this.#route('DELETE', path);
  }
  /** A HEAD route. */
  head(path: string): RouteBuilder {
    return this.#route('HEAD', path);
  }
  /** An OPTIONS route. */
  options(path: string): RouteBuilder {
    return this.#route('OPTIONS', path);
  }
  /** A route for every method that has no route of its own on this path (`route.method` is `'ANY'`). */
  any(path: string): RouteBuilder {
    return this.#route('ANY', path);
  }

  /** Routes sharing a path prefix and hooks; groups nest. */
  group(prefix: string, options: GroupOptions): void {
    const scope = nestedScope(this.#scope, prefix, options.before ?? [], options.after ?? []);
    options.defineRoutes(new Router(this.#app, this.#table, scope));
  }

  /**
   * The handler of requests no route (and no static file) matches; global hooks run around it.
   * Without one, Arcade answers 404 `{"error":{"statusCode":404,"message":"Not found"}}`.
   */
  notFound(handler: RouteHandler): void {
    this.#table.notFound = handler;
  }

  /** A before hook that runs first for every route of the app (and the notFound handler). */
  registerGlobalBeforeHook(hook: BeforeHook): void {
    this.#table.addGlobalBefore(hook);
  }

  /** An after hook that runs first for every route of the app (and the notFound handler). */
  registerGlobalAfterHook(hook: AfterHook): void {
    this.#table.addGlobalAfter(hook);
  }

  #route(method: string, path: string): RouteBuilder {
    return new RouteBuilder(this.#app, draftRoute(this.#table, this.#scope, method, path));
  }
}

/**
 * A route being defined: `route.get('/x').before(hook).handle(handler)`. Exported as a class so
 * plugins can add methods to its prototype (see docs/plugins.md); `app` is the app it belongs to.
 */
export class RouteBuilder<C extends RequestContext = RequestContext> {
  /** The app this route is registered on. */
  readonly app: App;
  readonly #draft: RouteDraft;

  /** @internal Routes are started with `route.get(...)` and friends. */
  constructor(app: App, draft: RouteDraft) {
    this.app = app;
    this.#draft = draft;
  }

  /**
   * Adds a before hook. It may return the same context or another `RequestContext` (a subclass
   * carrying a user, for instance); the next hooks and the handler are typed on what it returns.
   * Throw an `ArcadeHttpException` to answer early.
   */
  before<U extends RequestContext>(hook: (ctx: C) => U | Promise<U>): RouteBuilder<U> {
    // The chain's types guarantee each hook gets what the previous one returned; storage is untyped.
    this.#draft.before.push(hook as unknown as BeforeHook);
    return new RouteBuilder<U>(this.app, this.#draft);
  }

  /**
   * Sets this route's body limit in bytes, overriding the server's `bodyLimit`.
   * @default the server's `bodyLimit` (1 MiB)
   */
  bodyLimit(bytes: number): this {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new RangeError(`bodyLimit must be a non-negative integer number of bytes, got ${bytes}`);
    }
    this.#draft.bodyLimit = bytes;
    return this;
  }

  /** Registers the handler; its result is rendered as the response. */
  handle(handler: (ctx: C) => unknown): RouteHandle<C> {
    return new RouteHandle<C>(registerRoute(this.#draft, { handler: handler as RouteHandler }));
  }

  /**
   * Extension point for plugins such as `@arcade/ws`: registers this route as an upgrade route.
   * A plain request answers 426 (`Upgrade: websocket`); an HTTP `upgrade` event on this path runs
   * the global, group and route before hooks on a context without a ServerResponse (status and
   * response headers are only recorded), then calls `handler(ctx, { request, socket, head })`.
   * An `ArcadeHttpException` thrown by a hook or by the handler (before it hands the socket over)
   * is written on the raw socket, which is then destroyed; any other error is logged and answered 500.
   */
  handleUpgrade(handler: UpgradeHandler<C>): void {
    registerRoute(this.#draft, { upgrade: handler as UpgradeHandler<RequestContext> });
  }
}

/** A registered route; `after` adds after hooks. */
export class RouteHandle<C extends RequestContext = RequestContext> {
  readonly #record: RouteRecord;

  /** @internal */
  constructor(record: RouteRecord) {
    this.#record = record;
  }

  /**
   * Adds an after hook: it receives `[context, result]` and returns them, possibly transformed.
   * After hooks run global first, then group, then route, each in registration order.
   */
  after(
    hook: (ctx: C, result: unknown) => readonly [C, unknown] | Promise<readonly [C, unknown]>,
  ): RouteHandle<C> {
    this.#record.after.push(hook as unknown as AfterHook);
    this.#record.composed = undefined;
    return this;
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
