import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RequestContext } from './request-context';

/** A before hook: returns the context the next hooks and the handler get (the same one, or a subclass). */
export type BeforeHook<
  C extends RequestContext = RequestContext,
  U extends RequestContext = RequestContext,
> = (ctx: C) => U | Promise<U>;

/** A route handler: its result is rendered (see the README's "Results"). */
export type RouteHandler<C extends RequestContext = RequestContext> = (ctx: C) => unknown;

/** What an after hook returns: the context and the (possibly transformed) result. */
export type AfterHookResult<C extends RequestContext = RequestContext> = readonly [C, unknown];

/** An after hook: transforms `[context, result]` before the result is rendered. */
export type AfterHook<C extends RequestContext = RequestContext> = (
  ctx: C,
  result: unknown,
) => AfterHookResult<C> | Promise<AfterHookResult<C>>;

/** What an upgrade handler receives besides the context: the raw upgrade request, socket and head. */
export interface UpgradeRequest {
  request: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  /**
   * Hands the socket over to your code for good. Until then core keeps an `'error'` listener on it
   * (so a reset cannot crash the process) and destroys it if it is still open at the end of
   * `server.close()`. Call this once your own `'error'` listener is attached and your `onServerClose`
   * closes the socket: core then drops its listener and its entry for the socket, which is memory
   * saved per long-lived connection. Optional; calling it again does nothing.
   */
  takeOverSocket(): void;
}

/**
 * Takes over an HTTP upgrade once the before hooks accepted it. Throwing (or rejecting) before the
 * socket is handed over answers the error on the socket.
 */
export type UpgradeHandler<C extends RequestContext = RequestContext> = (
  ctx: C,
  upgrade: UpgradeRequest,
) => void | Promise<void>;
