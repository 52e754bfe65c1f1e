// The client's public face: what createClient returns, typed from the app's events map
// (docs/events-protocol.md, "The events map"). Pure types.
import type {
  ClientEventNames,
  ClientRequestNames,
  EventsMap,
  JoinResult,
  PayloadArgs,
  PayloadOf,
  ResultOf,
  RoomPosition,
  ServerEventNames,
} from '@arcade/ws/protocol';
import type { ArcadeClientError } from './errors.js';
import type { JoinInfo } from './rooms.js';

/** What `send` did with an event: written to the open socket, kept in the offline queue, or refused (queue full, client closed). */
export type SendResult = 'sent' | 'queued' | 'dropped';

/** Where the client is: `reconnecting` covers every wait for a connection after the first attempt. */
export type ClientStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * What `onStatus` listeners get on every change (and on every new wait while reconnecting).
 * `code` is the close code the socket reported, `null` when the client dropped the socket itself
 * (watchdog, connect timeout, network offline) or had none (the `params` provider failed).
 */
export type StatusEvent =
  | { readonly status: 'connecting' }
  | { readonly status: 'open' }
  | {
      readonly status: 'reconnecting';
      readonly code: number | null;
      readonly reason: string;
      /** The wait before the next attempt; `null` while waiting for the network to come back. */
      readonly delayMs: number | null;
    }
  | {
      readonly status: 'closed';
      readonly code: number | null;
      readonly reason: string;
      /** Why the client stopped when it was not `close()`: a {@link TerminalCloseError}, a refused subprotocol. */
      readonly error: ArcadeClientError | null;
    };

/** Where an event or raw message came from: set for messages kept in a room's history. */
export interface EventMeta {
  /** The room whose history holds the message. */
  readonly room?: string;
  /** Its position in that history. */
  readonly position?: RoomPosition;
}

/** The member of `T` named `K` (a name the helpers of `@arcade/ws/protocol` produced from `T`). */
type Member<T, K> = K extends keyof T ? T[K] : never;

/** The payload arguments of client event or request `K` of map `M`. */
type ToServerArgs<M extends EventsMap, K> = PayloadArgs<PayloadOf<Member<M['toServer'], K>>>;

/** Sends requests: the client itself, or `client.withTimeout(ms)`. */
export interface Requester<M extends EventsMap> {
  /**
   * Sends request `event` and resolves its reply. Rejects with `RequestTimeoutError` when no reply
   * came in time (queued time included), `ServerError` when the server refused (`code`, `issues`),
   * `ConnectionLostError` when the connection closed after the request went out, `QueueFullError`
   * when it could not even be queued, `ClientClosedError` after `close()`. Never hangs.
   */
  request<K extends ClientRequestNames<M>>(
    event: K,
    ...payload: ToServerArgs<M, K>
  ): Promise<ResultOf<Member<M['toServer'], K>>>;
}

/** A client of an events route (`handleEvents` of `@arcade/ws`), typed by the app's events map `M`. */
export interface ArcadeClient<M extends EventsMap> extends Requester<M> {
  /** Where the client is now. */
  readonly status: ClientStatus;
  /** The rooms the client is in or rejoining, each with the last position seen (`null`: none yet). A snapshot. */
  readonly rooms: ReadonlyMap<string, RoomPosition | null>;

  /**
   * Sends event `event`: `'sent'` when written to the open socket, `'queued'` when kept for the next
   * connection (sent after the rooms are rejoined), `'dropped'` when the queue is full or the client
   * closed. Throws only for a payload JSON cannot encode.
   */
  send<K extends ClientEventNames<M>>(event: K, ...payload: ToServerArgs<M, K>): SendResult;

  /** The same requests with another timeout: `client.withTimeout(30_000).request('export', query)`. */
  withTimeout(timeoutMs: number): Requester<M>;

  /** Listens to server event `event`; returns the function that stops listening. */
  on<K extends ServerEventNames<M>>(
    event: K,
    listener: (data: Member<M['toClient'], K>, meta: EventMeta) => void,
  ): () => void;
  /** Listens to messages that are not protocol frames (text as a string, binary as bytes). */
  onRaw(listener: (data: string | Uint8Array, meta: EventMeta) => void): () => void;
  /** Listens to status changes. */
  onStatus(listener: (event: StatusEvent) => void): () => void;
  /**
   * Listens to what has no promise to reject: refused events (`ServerError` with `event`), refused
   * rejoins (`ServerError` with `room`), terminal closes, failed `params` providers, throwing listeners.
   * Without any listener these go to `reportError` (browsers) or `console.error`.
   */
  onError(listener: (error: ArcadeClientError) => void): () => void;
  /** Listens to every successful join and rejoin, with its `recovered` and position. */
  onJoin(listener: (room: string, info: JoinInfo) => void): () => void;

  /**
   * Joins `room` and keeps it: the client rejoins it by itself after every reconnection, with the last
   * position seen, until `leave(room)`. Resolves with the first join's answer; rejects with
   * `ServerError` when refused (the room is then forgotten), `RequestTimeoutError` when no answer came
   * in time (the room stays wanted and is still joined later), `JoinCancelledError` on `leave(room)`,
   * `ClientClosedError` on `close()`.
   */
  join(room: string): Promise<JoinResult>;
  /**
   * Leaves `room` and forgets it (and its position). Resolves at once when not connected. Refused for a
   * moment (`RATE_LIMITED`, `STORAGE_UNAVAILABLE`), the leave is sent again with backoff; refused for
   * good, it rejects with `ServerError` and a room joined on this connection stays joined (as it is on
   * the server).
   */
  leave(room: string): Promise<void>;

  /** Starts connecting (with `autoConnect: false`, or again after a terminal close). No-op when already running. */
  connect(): void;
  /**
   * Closes for good: no more reconnections; pending requests, joins and queued frames are rejected
   * with `ClientClosedError`. Resolves once the socket is closed.
   */
  close(): Promise<void>;
}
