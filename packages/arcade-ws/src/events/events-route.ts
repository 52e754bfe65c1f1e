import type { Logger } from '@arcade/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { JoinResult } from '../protocol/frames';
import type { Registry } from '../registry/registry';
import type { EventConnection } from './event-connection';
import type { EventsDefinition } from './types';
import { isStandardSchema } from './validation';

/** An {@link EventsDefinition} once checked, with the map's types erased (the connection code is untyped). */
export interface CheckedDefinition {
  readonly events: Readonly<Record<string, (payload: unknown, socket: EventConnection) => unknown>>;
  readonly schemas: Readonly<Record<string, StandardSchemaV1 | undefined>> | undefined;
  readonly authorizeJoin: ((room: string, socket: EventConnection) => unknown) | undefined;
  readonly onJoined: ((room: string, socket: EventConnection, result: JoinResult) => unknown) | undefined;
  readonly onLeave: ((room: string, socket: EventConnection) => unknown) | undefined;
  readonly onConnect: ((socket: EventConnection) => unknown) | undefined;
  readonly onDisconnect: ((socket: EventConnection, code: number) => unknown) | undefined;
}

/** What every connection of one `handleEvents` route shares (one object per route, no field per connection). */
export interface EventsRoute {
  readonly definition: CheckedDefinition;
  /** The app's registry: joins, history reads, positioned receivers. */
  readonly manager: Registry;
  /** The app's logger, read on every use: it changes once the server starts. */
  readonly logger: () => Logger;
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
