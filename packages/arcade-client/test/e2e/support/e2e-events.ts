// The events map of the end-to-end tests, written as an app writes its own (README, "A typed chat"),
// and the route that serves it on a real @arcade/ws server.
import { type App, type RequestContext, UnauthorizedException } from '@arcade/core';
import { EventError, type EventsDefinition, eventEmitter } from '@arcade/ws';
import type { EventsMap } from '@arcade/ws/protocol';
import { z } from 'zod';

/** A numbered line of a room: what recovery must deliver exactly once, in order. */
export interface Line {
  readonly n: number;
  /** Padding, for lines of a given size. */
  readonly text?: string;
}

export interface E2eEvents extends EventsMap {
  toServer: {
    /** An event: the server emits line `n` to `room` with history, if the sender is in the room. */
    post: { room: string; n: number };
    /** A request checked by a zod schema. */
    add: (input: { a: number; b: number }) => number;
    /** A request without payload: the connection id, to tell one socket from the next. */
    whoami: () => string;
    /** Throws `new EventError(code, message)`. */
    refuse: (input: { code: string; message: string }) => never;
    /** Throws a plain Error (a bug of the handler). */
    crash: () => never;
    /** Never settles. */
    hang: () => never;
  };
  toClient: { line: Line };
}

/** The rooms clients may not join (`authorizeJoin` refuses them). */
export const FORBIDDEN_ROOM_PREFIX = 'private:';

/** The token `/guarded` wants in the query; `onConnect` refuses others with 4401. */
export const VALID_TOKEN = 'valid';

/** What the server saw, for the tests to check. */
export interface ServerSeen {
  /** The query parameters of every upgrade of every route, as the before hook saw them, in order. */
  readonly params: Record<string, string>[];
  /** Every `post` the server read, in the order its frames arrived. */
  readonly posts: E2eEvents['toServer']['post'][];
}

function definition(app: App, seen: ServerSeen): EventsDefinition<E2eEvents> {
  const lines = eventEmitter<E2eEvents>(app);
  return {
    events: {
      post: async ({ room, n }, socket) => {
        seen.posts.push({ room, n });
        // A frame the offline queue held must arrive after the rejoin of the room it is about.
        if (!(await app.getConnectionInfo(socket.id))?.rooms.has(room)) {
          throw new EventError('NOT_IN_ROOM', `post to ${room} before joining it`);
        }
        await lines.toRoom(room, { history: true }).emit('line', { n });
      },
      add: ({ a, b }) => a + b,
      whoami: (_payload, socket) => socket.id,
      refuse: ({ code, message }) => {
        throw new EventError(code, message);
      },
      crash: () => {
        throw new Error('a detail of the server that must not reach the client');
      },
      hang: () => new Promise<never>(() => undefined),
    },
    schemas: { add: z.object({ a: z.number(), b: z.number() }) },
    authorizeJoin: (room) => !room.startsWith(FORBIDDEN_ROOM_PREFIX),
  };
}

/**
 * `/events`: the events map above. `/guarded`: the same, with an `onConnect` that refuses a connection
 * without `?token=valid` (UnauthorizedException: close 4401). A before hook records every upgrade's query
 * of both. `/raw`: a plain `handleWebSocket` route, which does not speak the events protocol.
 */
export function defineE2eRoutes(app: App, seen: ServerSeen): void {
  app.route.get('/raw').handleWebSocket((_ctx, websocket) => websocket.listen(() => undefined));
  const record = (ctx: RequestContext) => {
    seen.params.push({ ...ctx.queryParameters });
    return ctx;
  };
  app.route.get('/events').before(record).handleEvents<E2eEvents>(definition(app, seen));
  app.route
    .get('/guarded')
    .before(record)
    .handleEvents<E2eEvents>({
      ...definition(app, seen),
      onConnect: (socket) => {
        if (socket.ctx.queryParameters.token !== VALID_TOKEN) throw new UnauthorizedException();
      },
    });
}
