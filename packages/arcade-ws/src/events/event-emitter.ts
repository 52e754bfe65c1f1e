import { type App, defaultApp } from '@arcade/core';
import { WebSocketManager } from '../app/web-socket-manager';
import type { EventsMap, PayloadArgs, ServerEventNames } from '../protocol/events-map';
import type { RoomPosition } from '../protocol/frames';
import { emitToRoomOptions } from '../registry/registry-arguments';
import { type EncodedMessage, encodeMessage } from '../transport/message';

/** One typed emit: `emit(event, ...payload)` of a `toClient` event, resolving what the target's emit does. */
export interface TypedEmit<M extends EventsMap, R> {
  emit<E extends ServerEventNames<M>>(event: E, ...payload: PayloadArgs<M['toClient'][E]>): R;
}

/** Options of {@link EventEmitter.toRoom}: those of `emitToRoom`. */
export interface RoomEmitOptions {
  /** Connection id(s) that must not receive the event (typically the sender). */
  exclude?: string | readonly string[];
  /** Keep the event in the room's history; the emit then resolves its position. @default false */
  history?: boolean;
}

/**
 * Typed emits of `toClient` events to the whole cluster (any route: protocol clients and raw clients
 * get the same `{"event":...,"data":...}` bytes as the untyped emit functions send).
 */
export interface EventEmitter<M extends EventsMap> {
  /** Every member of `room` on every instance (`emitToRoom`); with `history: true`, resolves the position. */
  toRoom(room: string, options: RoomEmitOptions & { history: true }): TypedEmit<M, Promise<RoomPosition>>;
  toRoom(room: string, options?: RoomEmitOptions): TypedEmit<M, Promise<RoomPosition | undefined>>;
  /** One connection on any instance (`emitToConnection`): `true` if it exists in the cluster. */
  toConnection(id: string): TypedEmit<M, Promise<boolean>>;
  /** Every connection of the cluster but `exclude` (`emitToAll`). */
  toAll(options?: { exclude?: string | readonly string[] }): TypedEmit<M, Promise<void>>;
  /** One connection of this instance (`emitTo`): `true` if it is open here. */
  toLocal(id: string): TypedEmit<M, boolean>;
}

/**
 * The typed emits of an events map on `app` (the default app when omitted).
 *
 * ```ts
 * const chat = eventEmitter<ChatEvents>();
 * await chat.toRoom('lobby', { history: true }).emit('line', { user, text });
 * ```
 */
export function eventEmitter<M extends EventsMap>(app: App = defaultApp): EventEmitter<M> {
  const manager = WebSocketManager.of(app);
  const typed = <R>(send: (payload: EncodedMessage) => R) => ({
    emit: (event: string, ...payload: unknown[]) => send(encodeMessage(event, payload[0])),
  });
  function toRoom(room: string, options: RoomEmitOptions = {}) {
    emitToRoomOptions(options);
    return typed((payload) => manager.emitToRoom(room, payload, options));
  }
  return {
    toRoom: toRoom as EventEmitter<M>['toRoom'],
    toConnection: (id) => typed((payload) => manager.emitToConnection(id, payload)),
    toAll: (options = {}) => {
      if (
        typeof options !== 'object' ||
        options === null ||
        Object.keys(options).some((key) => key !== 'exclude')
      ) {
        throw new TypeError('toAll(options): options only takes { exclude }');
      }
      const exclude = emitToRoomOptions({ exclude: options.exclude }).exclude;
      return typed((payload) => manager.broadcast(payload, exclude));
    },
    toLocal: (id) => typed((payload) => manager.emitTo(id, payload)),
  } as EventEmitter<M>;
}
