// Compiled by test/events/types.test.ts (tsc --noEmit): every `@ts-expect-error` marks a line that must
// not compile, and an unused one fails the compilation. Nothing here runs.
import { createApp } from '@arcade/core';
import { type EventsMap, eventEmitter, type RoomPosition } from '@arcade/ws';
import { z } from 'zod';

/** Uses values, so that the compiler reports no unused variable (nothing here runs). */
declare function keep(...values: unknown[]): void;

interface Line {
  user: string;
  text: string;
}

interface Chat extends EventsMap {
  toServer: {
    say: { room: string; text: string };
    leaveAll: undefined;
    // biome-ignore lint/suspicious/noConfusingVoidType: an event typed void is what is tested here.
    quiet: void;
    history: (query: { room: string }) => Line[];
    ping: () => 'pong';
    count: (query?: { limit: number }) => Promise<number>;
  };
  toClient: {
    line: Line;
    tick: undefined;
  };
}

const app = createApp();

// A complete, correct definition: payloads typed, replies typed, emits typed.
app.route.get('/chat').handleEvents<Chat>({
  events: {
    say: (payload, socket) => {
      const room: string = payload.room;
      socket.emit('line', { user: socket.id, text: `${room}: ${payload.text}` });
      socket.emit('tick');
    },
    leaveAll: (payload) => {
      const nothing: undefined = payload;
      return nothing;
    },
    quiet: () => undefined,
    history: async ({ room }) => [{ user: 'bot', text: room }],
    ping: () => 'pong',
    count: (query) => Promise.resolve(query?.limit ?? 0),
  },
  schemas: { say: z.object({ room: z.string(), text: z.string().trim() }) },
  authorizeJoin: (room, socket) => room.length > 0 && socket.ctx.path === '/chat',
  onConnect: (socket) => socket.join('lobby'),
  onDisconnect: (socket, code) => keep(socket.id, code),
});

const handlers = {
  say: () => undefined,
  leaveAll: () => undefined,
  quiet: () => undefined,
  history: () => [],
  ping: () => 'pong' as const,
  count: async () => 1,
};

app.route.get('/wrong-reply').handleEvents<Chat>({
  events: {
    ...handlers,
    // @ts-expect-error -- a request handler returning the wrong type
    ping: () => 'ping',
  },
});

app.route.get('/wrong-async-reply').handleEvents<Chat>({
  events: {
    ...handlers,
    // @ts-expect-error -- a request handler resolving the wrong type
    count: async () => 'many',
  },
});

app.route.get('/unknown-name').handleEvents<Chat>({
  events: {
    ...handlers,
    // @ts-expect-error -- a handler for a name the map does not have
    shout: () => undefined,
  },
});

app.route.get('/missing-handler').handleEvents<Chat>({
  // @ts-expect-error -- every toServer name needs a handler
  events: { say: () => undefined },
});

app.route.get('/wrong-payload').handleEvents<Chat>({
  events: {
    ...handlers,
    // @ts-expect-error -- the payload of say has no `body`
    say: (payload) => keep(payload.body),
  },
});

app.route.get('/wrong-schema').handleEvents<Chat>({
  events: handlers,
  // @ts-expect-error -- the schema's output is not say's payload
  schemas: { say: z.object({ room: z.number() }) },
});

app.route.get('/wrong-emits').handleEvents<Chat>({
  events: {
    ...handlers,
    say: (_payload, socket) => {
      // @ts-expect-error -- not a toClient event
      socket.emit('shout', { text: 'x' });
      // @ts-expect-error -- the wrong payload
      socket.emit('line', { text: 1 });
      // @ts-expect-error -- line needs its payload
      socket.emit('line');
      // @ts-expect-error -- tick has no payload
      socket.emit('tick', { now: 1 });
      const sent: boolean = socket.emit('tick');
      return sent ? undefined : undefined;
    },
  },
});

// Typed emits to the cluster.
async function emits(): Promise<void> {
  const chat = eventEmitter<Chat>(app);
  const position: RoomPosition = await chat
    .toRoom('lobby', { history: true })
    .emit('line', { user: 'a', text: 'b' });
  const maybe: RoomPosition | undefined = await chat.toRoom('lobby').emit('tick');
  // @ts-expect-error -- without history the position may be undefined
  const notSure: RoomPosition = await chat.toRoom('lobby').emit('tick');
  const delivered: boolean = await chat.toConnection('id').emit('tick');
  const local: boolean = chat.toLocal('id').emit('line', { user: 'a', text: 'b' });
  await chat.toAll({ exclude: 'id' }).emit('tick');
  // @ts-expect-error -- not a toClient event
  await chat.toAll().emit('say', { room: 'a', text: 'b' });
  // @ts-expect-error -- the wrong payload
  await chat.toRoom('lobby').emit('line', { user: 'a' });
  keep(position, maybe, notSure, delivered, local);
}
void emits;
