// Compiled by ../types.test.ts (and by `pnpm typecheck`): every line marked @ts-expect-error must be a
// compile error, every other line must compile. Nothing here runs.
import { WebSocket as WsWebSocket } from 'ws';
import { type ArcadeClient, createClient, type EventMeta, type SendResult } from '../../src/index';
import type { ChatEvents, Line } from '../support/chat-events';

declare const client: ArcadeClient<ChatEvents>;

// ---- send: client events only ----
export const sent: SendResult = client.send('say', { room: 'a', text: 'hi' });
client.send('typing');
// @ts-expect-error an event name the map does not have
client.send('shout', { room: 'a', text: 'hi' });
// @ts-expect-error a payload of the wrong shape
client.send('say', { room: 'a' });
// @ts-expect-error an event with a payload needs it
client.send('say');
// @ts-expect-error an event without payload takes no argument
client.send('typing', 1);
// @ts-expect-error a request cannot be sent with send
client.send('history', { room: 'a' });
// @ts-expect-error a server event cannot be sent
client.send('line', { user: 'a', text: 'b' });

// ---- request: client requests only, typed replies ----
export async function requests(): Promise<void> {
  const lines: Line[] = await client.request('history', { room: 'a' });
  const pong: 'pong' = await client.request('ping');
  const later: Line[] = await client.withTimeout(30_000).request('history', { room: 'a' });
  // @ts-expect-error the reply is Line[], not a string
  const wrong: string = await client.request('history', { room: 'a' });
  // @ts-expect-error the reply is typed, never any
  (await client.request('ping')).push(1);
  // @ts-expect-error an event cannot be sent with request
  await client.request('say', { room: 'a', text: 'x' });
  // @ts-expect-error a payload of the wrong shape
  await client.request('history', { room: 1 });
  // @ts-expect-error a request without parameter takes no argument
  await client.request('ping', 'now');
  // @ts-expect-error withTimeout keeps the typing
  await client.withTimeout(5).request('history');
  void [lines, pong, later, wrong];
}

// ---- on: server events, typed data ----
client.on('line', (line: Line, meta: EventMeta) => {
  const text: string = line.text;
  const room: string | undefined = meta.room;
  const offset: number | undefined = meta.position?.offset;
  void [text, room, offset];
});
client.on('notice', (data: undefined) => data);
client.on('line', (line) => {
  // @ts-expect-error the data is a Line
  line.missing;
});
// @ts-expect-error an event name the server does not send
client.on('lines', () => undefined);
// @ts-expect-error the listener's data has the wrong type
client.on('line', (line: number) => line);
// @ts-expect-error a client event is not received
client.on('say', () => undefined);

// ---- construction ----
// ws's class and the DOM's both fit the WebSocket option.
createClient<ChatEvents>('ws://localhost/events', { WebSocket: WsWebSocket, autoConnect: false });
createClient<ChatEvents>('ws://localhost/events', { WebSocket: globalThis.WebSocket, autoConnect: false });
// @ts-expect-error not a WebSocket class
createClient<ChatEvents>('ws://localhost/events', { WebSocket: Date });
// @ts-expect-error params values are strings
createClient<ChatEvents>('ws://localhost/events', { params: () => ({ token: 1 }) });
createClient<ChatEvents>('ws://localhost/events', { params: async () => ({ token: 't' }), reconnect: false });
