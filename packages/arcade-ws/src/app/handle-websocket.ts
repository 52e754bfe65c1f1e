import { type RequestContext, RouteBuilder } from '@arcade/core';
import {
  type ResolvedConnectionOptions,
  resolveConnectionOptions,
  type WebSocketConnectionOptions,
  type WebSocketOptions,
} from '../transport/options';
import type { RouteCallbacks } from './connection-lifecycle';
import type {
  WebSocketAfterHook,
  WebSocketHandler,
  WebSocketRoute,
  WebSocketRouteOptions,
} from './route-types';
import { WebSocketManager } from './web-socket-manager';

declare module '@arcade/core' {
  interface RouteBuilder<C extends RequestContext = RequestContext> {
    /**
     * Makes this route a WebSocket endpoint. The route's before hooks run on the HTTP request before
     * the upgrade (a thrown HTTP exception answers that status, no upgrade); a plain HTTP request gets
     * 426. Per connection: `onConnect` is awaited, then `handler` is called; `.after(...)` hooks run
     * once after the connection closed. `options` override the server-wide `webSocket` limits.
     *
     * Subprotocol: the value a before hook sets with `ctx.responseHeaders.set('sec-websocket-protocol', p)`
     * is the one negotiated, if the client offered it; with none set, none is negotiated. Other
     * response headers set by before hooks are sent on the 101 response.
     */
    handleWebSocket(handler: WebSocketHandler<C>, options?: WebSocketRouteOptions<C>): WebSocketRoute<C>;
  }

  interface ServerOptions {
    /** WebSocket limits for the whole server; the per-connection ones can be overridden per route. */
    webSocket?: WebSocketOptions;
  }
}

/** One WebSocket route: its callbacks, its after hooks, its options resolved against the server's. */
class WebSocketRouteDefinition<C extends RequestContext> implements RouteCallbacks<C>, WebSocketRoute<C> {
  readonly handler: WebSocketHandler<C>;
  readonly onConnect: WebSocketRouteOptions<C>['onConnect'];
  readonly afterHooks: WebSocketAfterHook<C>[] = [];
  private readonly routeOptions: WebSocketConnectionOptions;
  private resolved:
    | { readonly from: WebSocketOptions; readonly options: ResolvedConnectionOptions }
    | undefined;

  constructor(handler: WebSocketHandler<C>, options: WebSocketRouteOptions<C>) {
    const { onConnect, ...routeOptions } = options;
    this.handler = handler;
    this.onConnect = onConnect;
    this.routeOptions = routeOptions;
    // Fails fast on an invalid route option, at definition time.
    resolveConnectionOptions(undefined, routeOptions);
  }

  after(hook: WebSocketAfterHook<C>): WebSocketRoute<C> {
    this.afterHooks.push(hook);
    return this;
  }

  /** The effective limits; recomputed only when the server-wide options change (a new runServer). */
  optionsFor(serverOptions: WebSocketOptions): ResolvedConnectionOptions {
    if (this.resolved?.from !== serverOptions) {
      this.resolved = {
        from: serverOptions,
        options: resolveConnectionOptions(serverOptions, this.routeOptions),
      };
    }
    return this.resolved.options;
  }
}

RouteBuilder.prototype.handleWebSocket = function handleWebSocket<C extends RequestContext>(
  this: RouteBuilder<C>,
  handler: WebSocketHandler<C>,
  options: WebSocketRouteOptions<C> = {},
): WebSocketRoute<C> {
  if (typeof handler !== 'function') {
    throw new TypeError('handleWebSocket(handler) needs a function (ctx, websocket, id) => ...');
  }
  const { transport } = WebSocketManager.of(this.app);
  const definition = new WebSocketRouteDefinition<C>(handler, options);
  this.handleUpgrade((ctx, upgrade) => {
    transport.upgrade(ctx, upgrade, definition, definition.optionsFor(transport.serverOptions));
  });
  return definition;
};
