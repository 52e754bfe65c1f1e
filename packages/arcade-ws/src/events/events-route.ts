import { isThenable, type Logger } from '@arcade/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { EventsMap } from '../protocol/events-map';
import type { JoinResult } from '../protocol/frames';
import type { Registry } from '../registry/registry';
import type { EventSocket, EventsDefinition } from './types';
import { isStandardSchema } from './validation';

/** The `socket` of the handlers, with the map's types erased (the connection code is untyped). */
type AnySocket = EventSocket<EventsMap>;

/** An {@link EventsDefinition} once checked, with the map's types erased. */
export interface CheckedDefinition {
  readonly events: Readonly<Record<string, (payload: unknown, socket: AnySocket) => unknown>>;
  readonly schemas: Readonly<Record<string, StandardSchemaV1 | undefined>> | undefined;
  readonly authorizeJoin: ((room: string, socket: AnySocket) => unknown) | undefined;
  readonly onJoined: ((room: string, socket: AnySocket, result: JoinResult) => unknown) | undefined;
  readonly onLeave: ((room: string, socket: AnySocket) => unknown) | undefined;
  readonly onConnect: ((socket: AnySocket) => unknown) | undefined;
  readonly onDisconnect: ((socket: AnySocket, code: number) => unknown) | undefined;
}

/** What every connection of one `handleEvents` route shares (one object per route, no field per connection). */
export interface EventsRoute {
  readonly definition: CheckedDefinition;
  /** The app's registry: joins, history reads, positioned receivers. */
  readonly manager: Registry;
  /** The app's logger, read on every use: it changes once the server starts. */
  readonly logger: () => Logger;
}

/**
 * One connection of an events route as the code that answers its frames sees it (run-handler.ts,
 * room-operations.ts): the `socket` handed to the route's callbacks, and the connection's output.
 * `EventConnection` is the one implementation.
 */
export interface RouteConnection extends AnySocket {
  readonly route: EventsRoute;
  /** Writes a frame, after what the socket still has to write. */
  send(text: string): void;
  /**
   * Writes a frame and resolves once the socket has taken it and everything before it: `false` when
   * the connection closed meanwhile (nothing more to send).
   */
  sendAndWait(text: string): Promise<boolean>;
  /** Logs an error of this connection (its id and the route's path with it). */
  log(message: string, error: unknown): void;
}

/** Runs a callback of the route's definition whose throw or rejection goes to `failed` (it is not awaited). */
export function runCallback(callback: () => unknown, failed: (error: unknown) => void): void {
  try {
    const result = callback();
    if (isThenable(result)) result.then(undefined, failed);
  } catch (error) {
    failed(error);
  }
}

/** Checks a definition when the route is defined, so a mistake fails at startup with what to fix. */
export function checkDefinition(definition: unknown): CheckedDefinition {
  if (typeof definition !== 'object' || definition === null) {
    throw new TypeError(
      'handleEvents(definition): definition must be an object { events, schemas?, authorizeJoin?, ... }',
    );
  }
  const { events, schemas, authorizeJoin, onJoined, onLeave, onConnect, onDisconnect } = definition as Record<
    keyof EventsDefinition<never>,
    unknown
  >;
  if (typeof events !== 'object' || events === null) {
    throw new TypeError(
      'handleEvents(definition): definition.events must be an object with a handler per event name',
    );
  }
  for (const [name, handler] of Object.entries(events)) {
    if (typeof handler !== 'function') {
      throw new TypeError(
        `handleEvents(definition): events.${name} must be a function (payload, socket) => ...`,
      );
    }
  }
  if (schemas !== undefined) {
    if (typeof schemas !== 'object' || schemas === null) {
      throw new TypeError(
        'handleEvents(definition): definition.schemas must be an object with a Standard Schema per event name',
      );
    }
    for (const [name, schema] of Object.entries(schemas)) {
      if (schema === undefined) continue;
      if (!isStandardSchema(schema)) {
        throw new TypeError(
          `handleEvents(definition): schemas.${name} is not a Standard Schema (a zod, valibot or arktype schema, say)`,
        );
      }
      if (!Object.hasOwn(events, name)) {
        throw new TypeError(`handleEvents(definition): schemas.${name} has no handler in events.${name}`);
      }
    }
  }
  for (const [name, callback] of Object.entries({
    authorizeJoin,
    onJoined,
    onLeave,
    onConnect,
    onDisconnect,
  })) {
    if (callback !== undefined && typeof callback !== 'function') {
      throw new TypeError(`handleEvents(definition): ${name} must be a function when given`);
    }
  }
  return {
    events: events as CheckedDefinition['events'],
    schemas: schemas as CheckedDefinition['schemas'],
    authorizeJoin: authorizeJoin as CheckedDefinition['authorizeJoin'],
    onJoined: onJoined as CheckedDefinition['onJoined'],
    onLeave: onLeave as CheckedDefinition['onLeave'],
    onConnect: onConnect as CheckedDefinition['onConnect'],
    onDisconnect: onDisconnect as CheckedDefinition['onDisconnect'],
  };
}
