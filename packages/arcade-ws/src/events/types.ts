import type { RequestContext } from '@arcade/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type {
  EventNames,
  EventsMap,
  PayloadArgs,
  PayloadOf,
  RequestNames,
  ResultOf,
  ServerEventNames,
} from '../protocol/events-map';
import type { JoinResult } from '../protocol/frames';
import type { WebSocketConnectionOptions } from '../transport/options';

/** One connection of a `handleEvents` route, as its handlers see it. */
export interface EventSocket<M extends EventsMap, C extends RequestContext = RequestContext> {
  /** The connection id (the id of every other `@arcade/ws` function). */
  readonly id: string;
  /** The request context the route's before hooks produced (kept for the connection's life). */
  readonly ctx: C;
  /**
   * Sends an event of `toClient` to this connection (on this instance): the frame
   * `{"event":event,"data":payload}`, the same bytes as `emitTo(id, event, payload)`. `false` when the
   * connection is no longer open.
   */
  emit<E extends ServerEventNames<M>>(event: E, ...payload: PayloadArgs<M['toClient'][E]>): boolean;
  /** Adds the connection to `room` (as `joinRoom`): no `authorizeJoin`, no recovery. */
  join(room: string): Promise<boolean>;
  /** Removes the connection from `room` (as `leaveRoom`). */
  leave(room: string): Promise<boolean>;
  /** Starts the closing handshake (1000 when `code` is omitted). */
  close(code?: number, reason?: string): void;
}

/** The handler of one `toServer` member: an event's returns nothing, a request's returns its reply. */
export type EventHandler<M extends EventsMap, C extends RequestContext, T> = T extends (
  ...args: never
) => unknown
  ? (payload: PayloadOf<T>, socket: EventSocket<M, C>) => ResultOf<T> | Promise<ResultOf<T>>
  : (payload: T, socket: EventSocket<M, C>) => void | Promise<void>;

/** A handler for every member of `toServer`, typed from the events map. */
export type EventHandlers<M extends EventsMap, C extends RequestContext = RequestContext> = {
  [K in EventNames<M['toServer']> | RequestNames<M['toServer']>]: EventHandler<M, C, M['toServer'][K]>;
};

/**
 * Runtime validation, per `toServer` name: any Standard Schema (zod, valibot, arktype...) whose output
 * is that member's payload. The handler receives the schema's output (defaults, transforms applied).
 */
export type EventSchemas<M extends EventsMap> = {
  [K in EventNames<M['toServer']> | RequestNames<M['toServer']>]?: StandardSchemaV1<
    unknown,
    PayloadOf<M['toServer'][K]>
  >;
};

/** The first argument of `handleEvents`. */
export interface EventsDefinition<M extends EventsMap, C extends RequestContext = RequestContext> {
  /** A handler per `toServer` name (events and requests). */
  events: EventHandlers<M, C>;
  /** Payload validation per name; a refused payload gets `INVALID_PAYLOAD` and the handler is not called. */
  schemas?: EventSchemas<M>;
  /**
   * Decides each `join` a client sends (an `EventError` thrown here reaches the client as it is).
   * Without it every client join is refused with `JOIN_REFUSED`: the app decides who joins what.
   * Server-side joins (`socket.join`, `joinRoom`) do not ask it.
   */
  authorizeJoin?(room: string, socket: EventSocket<M, C>): boolean | Promise<boolean>;
  /**
   * Called once a client's join has been answered (after any replay), with what the client was told:
   * the moment to announce a member, count it, or send a per-room welcome. Not called for a refused or
   * failed join, nor for server-side joins. A throw is logged; the join stands.
   */
  onJoined?(room: string, socket: EventSocket<M, C>, result: JoinResult): unknown;
  /**
   * Awaited before a client's `leave` is applied: the moment to count it against a budget or announce
   * it. Throw an `EventError` to refuse the leave (its code and message reach the client); any other
   * throw refuses it with `HANDLER_FAILED`. Not called for server-side leaves nor at disconnect (see
   * `onDisconnect`).
   */
  onLeave?(room: string, socket: EventSocket<M, C>): unknown;
  /**
   * Awaited before the connection's first frame is handled (frames arriving meanwhile are buffered).
   * Throw an `UnauthorizedException` (close 4401), a `ForbiddenException` (4403) or another 4xx
   * `ArcadeHttpException` (4000 + status) to refuse the connection: clients do not retry those. Any
   * other throw is logged and closes with 1011.
   */
  onConnect?(socket: EventSocket<M, C>): unknown;
  /** Called once when a connection whose `onConnect` succeeded has closed, with its close code. */
  onDisconnect?(socket: EventSocket<M, C>, code: number): unknown;
}

/** The second argument of `handleEvents`: the per-route limits of `handleWebSocket`. */
export type EventsRouteOptions = WebSocketConnectionOptions;
