import type { RequestContext } from '@arcade/core';
import type { ArcadeWebSocket } from '../transport/arcade-websocket';
import type { WebSocketConnectionOptions } from '../transport/options';

/**
 * Handles one connection, called once `onConnect` has resolved. `ctx` is the context produced by the
 * route's before hooks; `id` is the connection id (nanoid). A returned promise is awaited before the
 * after hooks run. A throw or rejection is logged and closes the connection with 1011.
 */
export type WebSocketHandler<C extends RequestContext = RequestContext> = (
  ctx: C,
  websocket: ArcadeWebSocket,
  id: string,
) => unknown;

/**
 * Awaited once the connection is registered and before the handler runs; messages that arrive
 * meanwhile are buffered. A throw or rejection is logged and closes the connection with 1011 (the
 * handler is then not called).
 */
export type WebSocketConnectHandler<C extends RequestContext = RequestContext> = (
  ctx: C,
  websocket: ArcadeWebSocket,
  id: string,
) => unknown;

/** What an after hook may return: nothing, or the values the next after hook receives. */
export type WebSocketAfterHookResult<C extends RequestContext = RequestContext> =
  | undefined
  // biome-ignore lint/suspicious/noConfusingVoidType: lets a hook declared as returning void be passed.
  | void
  | readonly [ctx: C, result: unknown]
  | readonly [ctx: C, result: unknown, id: string];

/**
 * Runs once per connection, after it closed, left its rooms and its record was removed
 * (`getConnectionInfo(id)` is null, `WebSocketManager.getConnectionData(id)` still readable).
 * `result` is the handler's (awaited) return value. A throw is logged; the next after hooks still run.
 */
export type WebSocketAfterHook<C extends RequestContext = RequestContext> = (
  ctx: C,
  result: unknown,
  id: string,
) => WebSocketAfterHookResult<C> | Promise<WebSocketAfterHookResult<C>>;

/** The second argument of `handleWebSocket`: `onConnect` plus per-route limits. */
export interface WebSocketRouteOptions<C extends RequestContext = RequestContext>
  extends WebSocketConnectionOptions {
  /** Called before the handler; see {@link WebSocketConnectHandler}. */
  onConnect?: WebSocketConnectHandler<C>;
}

/** What `handleWebSocket` returns: chain `.after(...)` hooks on it. */
export interface WebSocketRoute<C extends RequestContext = RequestContext> {
  /** Adds a hook run once after each connection of this route has closed; hooks run in order. */
  after(hook: WebSocketAfterHook<C>): WebSocketRoute<C>;
}
