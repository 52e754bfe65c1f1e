// The events map: one type, written once by an app and imported by its server and its client code,
// that types both directions of the events protocol (docs/events-protocol.md, "The events map").
// Pure types: nothing here exists at run time.

/**
 * The shape every app's events map extends.
 *
 * - `toServer`: what clients send. A member whose type is a function `(payload) => Result` is a
 *   *request* (the client awaits `Result`); any other member is an *event* whose type is its payload.
 * - `toClient`: what the server sends: event names and their payloads.
 *
 * A payload typed `undefined` or `void` (or a request without parameter) is sent with no argument.
 *
 * @example
 * interface ChatEvents extends EventsMap {
 *   toServer: { say: { text: string }; leaveAll: undefined; history: (q: { room: string }) => Line[] };
 *   toClient: { line: Line };
 * }
 */
export interface EventsMap {
  /** Client -> server: events (their payload type) and requests (`(payload) => Result`). */
  toServer: object;
  /** Server -> client: events and their payload types. */
  toClient: object;
}

/** Any function type: how a request is told from an event. */
type AnyFunction = (...args: never) => unknown;

/** The names of `T`'s events: its members whose type is not a function (`T` is `toServer` or `toClient`). */
export type EventNames<T> = {
  [K in keyof T]-?: T[K] extends AnyFunction ? never : K;
}[keyof T] &
  string;

/** The names of `T`'s requests: its members whose type is a function `(payload) => Result`. */
export type RequestNames<T> = {
  [K in keyof T]-?: T[K] extends AnyFunction ? K : never;
}[keyof T] &
  string;

/**
 * The payload of one member of a direction map: the parameter of a request (`undefined` for a
 * request without parameter), the member's own type for an event.
 */
export type PayloadOf<T> = T extends AnyFunction
  ? Parameters<T> extends []
    ? undefined
    : Parameters<T>[0]
  : T;

/** The reply of a request member (`Promise`s unwrapped); `never` for an event. */
export type ResultOf<T> = T extends (...args: never) => infer R ? Awaited<R> : never;

/**
 * The arguments that carry a payload of type `P`: none for `undefined` / `void`, an optional one when
 * `P` admits `undefined`, one otherwise. `emit(event, ...payload: PayloadArgs<P>)`.
 */
export type PayloadArgs<P> = [P] extends [undefined]
  ? []
  : // biome-ignore lint/suspicious/noConfusingVoidType: a payload typed void is sent with no argument.
    [P] extends [void]
    ? []
    : undefined extends P
      ? [payload?: P]
      : [payload: P];

/** The names of the events clients send (`toServer` members that are not requests). */
export type ClientEventNames<M extends EventsMap> = EventNames<M['toServer']>;

/** The names of the requests clients send. */
export type ClientRequestNames<M extends EventsMap> = RequestNames<M['toServer']>;

/** The names of the events the server sends. */
export type ServerEventNames<M extends EventsMap> = keyof M['toClient'] & string;
