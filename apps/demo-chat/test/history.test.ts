import { type App, createApp } from '@arcade/core';
import { RecordingLogger } from '@arcade/test-support';
import { type ChatServer, createChatServer } from '../src';
import type { ChatLine } from '../src/chat-events';
import { chatLineOf } from '../src/history';
import { ChatClient } from './support/chat-client';

const line: ChatLine = {
  id: '00000001-instance',
  room: 'lobby',
  from: { id: 'connection-1', name: 'Ada' },
  text: 'hello',
  at: '2026-01-01T00:00:00.000Z',
};

/** A stored history message as the chat's typed emit writes it: the frame `{"event":...,"data":...}`. */
function stored(data: unknown, event = 'line'): string {
  return JSON.stringify({ event, data });
}

describe('chatLineOf', () => {
  it('reads back a line as the chat emitted it', () => {
    expect(chatLineOf(stored(line), 'lobby')).toEqual(line);
  });

  it('keeps only the fields of the events map', () => {
    expect(chatLineOf(stored({ ...line, extra: 'x', from: { ...line.from, admin: true } }), 'lobby')).toEqual(
      line,
    );
  });

  it.each([
    ['a binary frame', new TextEncoder().encode(stored(line))],
    ['text that is not JSON', 'hello'],
    ['JSON that is not an object', '[1,2]'],
    ['a line without the event frame around it', JSON.stringify(line)],
    ['another event', stored(line, 'announcement')],
    ['a line of another room', stored({ ...line, room: 'elsewhere' })],
    ['a line without an id', stored({ ...line, id: undefined })],
    ['a line with a number as text', stored({ ...line, text: 42 })],
    ['a line without a sender name', stored({ ...line, from: { id: 'connection-1' } })],
  ])('skips %s', (_label, message) => {
    expect(chatLineOf(message, 'lobby')).toBeUndefined();
  });
});

describe('the history a joining user reads', () => {
  let app: App;
  let server: ChatServer;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    app = createApp();
    server = await createChatServer({ port: 0, host: '127.0.0.1', app, logger: new RecordingLogger() });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  });

  it("holds the room's chat lines and skips what other code kept in the same room's history", async () => {
    const ada = await ChatClient.connect(server.url, 'Ada');
    clients.push(ada);
    await ada.join('shared-room');
    await ada.say('first');
    await app.emitToRoom('shared-room', 'plain text', { history: true });
    await app.emitToRoom('shared-room', new Uint8Array([1, 2, 3]), { history: true });
    await app.emitToRoom(
      'shared-room',
      { event: 'line', data: { text: 'no id, no sender' } },
      { history: true },
    );
    await ada.say('second');

    const bea = await ChatClient.connect(server.url, 'Bea');
    clients.push(bea);
    const joined = await bea.join('shared-room');
    expect(joined.lines.map(({ text, from }) => [from.name, text])).toEqual([
      ['Ada', 'first'],
      ['Ada', 'second'],
    ]);
  });
});
