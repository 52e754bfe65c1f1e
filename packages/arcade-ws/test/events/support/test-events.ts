import type { App, RequestContext } from '@arcade/core';
import { EventError, type EventsDefinition, type EventsMap } from '@arcade/ws';
import * as v from 'valibot';
import { z } from 'zod';

/** The events map of the wire-level tests: one member per behaviour under test. */
export interface TestEvents extends EventsMap {
  toServer: {
    /** An event: the handler answers with `said` to the sender. */
    say: { text: string };
    /** An event without payload. */
    poke: undefined;
    add: (input: { a: number; b: number }) => number;
    whoami: () => string;
    /** Answers `undefined`: the reply has no `data`. */
    nothing: () => undefined;
    /** Throws `new EventError(code, message)`. */
    refuse: (input: { code: string; message: string }) => never;
    /** Throws a plain Error. */
    crash: () => never;
    /** Replies a value JSON cannot hold. */
    bigint: () => bigint;
    /** zod: `count` defaults to 1, `name` is trimmed. */
    zodCheck: (input: { name: string; count?: number }) => { name: string; count: number };
    /** valibot. */
    valibotCheck: (input: { tags: string[] }) => number;
    /** Joins a room server-side (no authorizeJoin). */
    enter: (room: string) => boolean;
  };
  toClient: {
    said: { text: string };
    poked: undefined;
  };
}

const zodCheck = z.object({ name: z.string().trim().min(1), count: z.number().int().default(1) });
const valibotCheck = v.object({ tags: v.array(v.string()) });

/** What the tests observe on the server side. */
export interface Observed {
  /** Payloads the handlers received, by name, in order. */
  readonly calls: Array<[name: string, payload: unknown]>;
}

/** The definition of the wire-level route; `authorizeJoin` allows rooms starting with `open:`. */
export function testDefinition(
  observed: Observed,
  overrides: Partial<EventsDefinition<TestEvents>> = {},
): EventsDefinition<TestEvents> {
  const seen = (name: string, payload: unknown) => observed.calls.push([name, payload]);
  return {
    events: {
      say: (payload, socket) => {
        seen('say', payload);
        socket.emit('said', { text: payload.text });
      },
      poke: (payload, socket) => {
        seen('poke', payload);
        socket.emit('poked');
      },
      add: ({ a, b }) => a + b,
      whoami: (_payload, socket) => socket.id,
      nothing: () => undefined,
      refuse: ({ code, message }) => {
        throw new EventError(code, message);
      },
      crash: () => {
        throw new Error('secret detail that must not reach the client');
      },
      bigint: () => 1n,
      zodCheck: (payload) => {
        seen('zodCheck', payload);
        return { name: payload.name, count: payload.count ?? 0 };
      },
      valibotCheck: (payload) => {
        seen('valibotCheck', payload);
        return payload.tags.length;
      },
      enter: (room, socket) => socket.join(room),
    },
    schemas: { zodCheck, valibotCheck },
    authorizeJoin: (room) => room.startsWith('open:'),
    ...overrides,
  };
}

/** Defines `/events` (the test definition) and `/raw` (a plain handleWebSocket route that greets with its id). */
export function defineTestRoutes(
  app: App,
  observed: Observed,
  overrides?: Partial<EventsDefinition<TestEvents, RequestContext>>,
): void {
  app.route.get('/events').handleEvents<TestEvents>(testDefinition(observed, overrides));
  app.route.get('/raw').handleWebSocket((_ctx, websocket, id) => {
    websocket.add(JSON.stringify({ welcome: id }));
    websocket.listen(() => undefined);
  });
}
