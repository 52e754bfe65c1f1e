import { BadRequestException, type RequestContext, RouteBuilder } from '@arcade/core';
import '../app/handle-websocket';
import type { WebSocketRoute } from '../app/route-types';
import { WebSocketManager } from '../app/web-socket-manager';
import { EVENTS_SUBPROTOCOL } from '../protocol/codes';
import type { EventsMap } from '../protocol/events-map';
import { EventConnection } from './event-connection';
import { checkDefinition, type EventsRoute } from './events-route';
import type { EventsDefinition, EventsRouteOptions } from './types';

declare module '@arcade/core' {
  interface RouteBuilder<C extends RequestContext = RequestContext> {
    /**
     * Makes this route a WebSocket endpoint of the events protocol (docs/events-protocol.md): typed
     * events and requests from clients, rooms they ask for (`authorizeJoin` decides), recovery of the
     * room history messages they missed. Built on `handleWebSocket`: the same before hooks, limits
     * (`options`), heartbeat, rate limit and `.after(...)` hooks. An upgrade whose client does not
     * offer the subprotocol `arcade.events.v1` is refused with HTTP 400.
     *
     * ```ts
     * route.get('/chat').handleEvents<ChatEvents>({
     *   events: { say: ({ room, text }, socket) => { ... }, history: ({ room }) => lines(room) },
     *   authorizeJoin: (room, socket) => room.startsWith('public:'),
     * });
     * ```
     */
    handleEvents<M extends EventsMap>(
      definition: EventsDefinition<M, C>,
      options?: EventsRouteOptions,
    ): WebSocketRoute<C>;
  }
}

RouteBuilder.prototype.handleEvents = function handleEvents<C extends RequestContext, M extends EventsMap>(
  this: RouteBuilder<C>,
  definition: EventsDefinition<M, C>,
  options: EventsRouteOptions = {},
): WebSocketRoute<C> {
  if ('onConnect' in options) {
    throw new TypeError(
      'handleEvents(definition, options): onConnect belongs in the definition, not in options',
    );
  }
  const app = this.app;
  const route: EventsRoute = {
    definition: checkDefinition(definition),
    manager: WebSocketManager.of(app),
    logger: () => app.logger,
  };
  return this.before(negotiateEventsProtocol).handleWebSocket(
    (ctx, websocket, id) => new EventConnection(route, ctx, websocket, id).start(),
    options,
  );
};

/** The route's last before hook: requires the subprotocol of the events protocol and accepts it. */
function negotiateEventsProtocol<C extends RequestContext>(ctx: C): C {
  // Read from the raw headers: `requestHeaders` would build and cache a copy of them all, which the
  // context kept by `socket.ctx` would hold for the connection's life.
  const header = ctx.rawRequest.headers['sec-websocket-protocol'] ?? '';
  if (!header.split(',').some((protocol) => protocol.trim() === EVENTS_SUBPROTOCOL)) {
    throw new BadRequestException({
      message: `This route speaks the events protocol: the client must offer the WebSocket subprotocol "${EVENTS_SUBPROTOCOL}" (new WebSocket(url, "${EVENTS_SUBPROTOCOL}"), or @arcade/client)`,
      errors: { subprotocol: EVENTS_SUBPROTOCOL },
    });
  }
  ctx.responseHeaders.set('sec-websocket-protocol', EVENTS_SUBPROTOCOL);
  return ctx;
}
