import { type App, createApp } from '@arcade/core';
import { RecordingLogger } from '@arcade/test-support';
import { type ChatServer, createChatServer } from '../src';
import { chatLineOf } from '../src/history';
import type { ChatLine } from '../src/protocol';
import { ChatClient } from './support/chat-client';

const line: ChatLine = {
  type: 'message',
  id: '00000001-instance',
  room: 'lobby',
  from: { id: 'connection-1', name: 'Ada' },
  text: 'hello',
  at: '2026-01-01T00:00:00.000Z',
};

describe('chatLineOf', () => {
  it('reads back a line as the chat emitted it', () => {
    expect(chatLineOf(JSON.stringify(line), 'lobby')).toEqual(line);
  });

  it('keeps only the fields of the protocol', () => {
    const stored = JSON.stringify({ ...line, extra: 'x', from: { ...line.from, admin: true } });
    expect(chatLineOf(stored, 'lobby')).toEqual(line);
  });

  it.each([
    ['a binary frame', new TextEncoder().encode(JSON.stringify(line))],
    ['text that is not JSON', 'hello'],
    ['JSON that is not an object', '[1,2]'],
    ['another type', JSON.stringify({ ...line, type: 'announcement' })],
    ['a line of another room', JSON.stringify({ ...line, room: 'elsewhere' })],
    ['a line without an id', JSON.stringify({ ...line, id: undefined })],
    ['a line with a number as text', JSON.stringify({ ...line, text: 42 })],
    ['a line without a sender name', JSON.stringify({ ...line, from: { id: 'connection-1' } })],
  ])('skips %s', (_label, message) => {
    expect(chatLineOf(message, 'lobby')).toBeUndefined();
  });
});

describe('the history a joining user gets', () => {
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
    const ada = await ChatClient.connect(server.url);
    clients.push(ada);
    await ada.join('Ada', 'shared-room');
    await ada.say('first');
    await app.emitToRoom('shared-room', 'plain text', { history: true });
    await app.emitToRoom('shared-room', new Uint8Array([1, 2, 3]), { history: true });
    await app.emitToRoom('shared-room', { type: 'message', text: 'no id, no sender' }, { history: true });
    await ada.say('second');

    const bea = await ChatClient.connect(server.url);
    clients.push(bea);
    const joined = await bea.join('Bea', 'shared-room');
    expect(joined.history.map(({ text, from }) => [from.name, text])).toEqual([
      ['Ada', 'first'],
      ['Ada', 'second'],
    ]);
  });
});
