import type { App } from './app';
import type { AfterHook, BeforeHook, RouteHandler, UpgradeHandler } from './hooks';
import type { RequestContext } from './request-context';
import type { RouteRecord, RouteTable } from './route-table';
import type { PatternSegment } from './router/trie';

/** What a route chain accumulates until `handle` or `handleUpgrade` registers it (internal). */
export interface RouteDraft {
  readonly table: RouteTable;
  readonly method: string;
  /** The normalized pattern including the group prefix (`/api/users/:id`). */
  readonly pattern: string;
  readonly segments: readonly PatternSegment[];
  readonly groupBefore: readonly BeforeHook[];
  readonly groupAfter: readonly AfterHook[];
  readonly before: BeforeHook[];
  bodyLimit: number | undefined;
}

function register(draft: RouteDraft, handlers: Pick<RouteRecord, 'handler' | 'upgrade'>): RouteRecord {
  const record: RouteRecord = {
    method: draft.method,
    pattern: draft.pattern,
    route: Object.freeze({ method: draft.method, path: draft.pattern }),
    paramNames: draft.segments.flatMap((segment) => (segment.kind === 'param' ? [segment.name] : [])),
    before: [...draft.groupBefore, ...draft.before],
    after: [...draft.groupAfter],
    bodyLimit: draft.bodyLimit,
    composed: undefined,
    ...handlers,
  };
  draft.table.add(draft.segments, record);
  return record;
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
    return new RouteHandle<C>(register(this.#draft, { handler: handler as RouteHandler }));
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
    register(this.#draft, { upgrade: handler as UpgradeHandler<RequestContext> });
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
