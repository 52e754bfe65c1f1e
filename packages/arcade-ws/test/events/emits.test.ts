import { TestClient } from '@arcade/test-support';
import { eventEmitter } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';
import { ProtocolClient } from './support/protocol-client';
import { defineTestRoutes, type TestEvents } from './support/test-events';

// Typed emits (eventEmitter) and history frames: protocol clients and raw clients of a plain
// handleWebSocket route in the same room; raw clients always get exactly the bytes emitted
// (guarantee 1), protocol clients get history messages with their position (docs/events-protocol.md).

const ROOM = 'open:room';

let server: TestServer;
let protocol: ProtocolClient;
let protocolId: string;
let raw: TestClient;
let rawId: string;

beforeEach(async () => {
  server = await startServer((app) => defineTestRoutes(app, { calls: [] }));
  protocol = await ProtocolClient.connect(server.wsUrl('/events'));
  protocolId = (await protocol.request('whoami')).data as string;
  expect(await protocol.join(ROOM)).toMatchObject({ t: 'res' });
  raw = await server.connect('/raw');
  rawId = (await raw.nextJson<{ welcome: string }>()).welcome;
  await server.app.joinRoom(rawId, ROOM);
});

afterEach(async () => {
  await TestClient.terminateAll();
  await server.close();
});

const SAID = '{"event":"said","data":{"text":"hi"}}';

describe('typed emits send the bytes of the emit rule', () => {
  it('toRoom reaches protocol and raw members with the bytes emitToRoom sends', async () => {
    const chat = eventEmitter<TestEvents>(server.app);
    expect(await chat.toRoom(ROOM).emit('said', { text: 'hi' })).toBeUndefined();
    await server.app.emitToRoom(ROOM, { event: 'said', data: { text: 'hi' } });
    for (const client of [protocol.client, raw]) {
      expect(await client.nextText()).toBe(SAID);
      expect(await client.nextText()).toBe(SAID);
    }
  });

  it('toRoom with exclude leaves the excluded connection out', async () => {
    await eventEmitter<TestEvents>(server.app).toRoom(ROOM, { exclude: rawId }).emit('said', { text: 'hi' });
    await server.app.emitToRoom(ROOM, 'marker');
    expect(await raw.nextText()).toBe('marker');
    expect(await protocol.client.nextText()).toBe(SAID);
  });

  it('toConnection, toLocal and toAll reach their targets, with what the untyped emits resolve', async () => {
    const chat = eventEmitter<TestEvents>(server.app);
    expect(await chat.toConnection(protocolId).emit('poked')).toBe(true);
    expect(await chat.toConnection('nobody').emit('poked')).toBe(false);
    expect(chat.toLocal(rawId).emit('said', { text: 'hi' })).toBe(true);
    expect(chat.toLocal('nobody').emit('poked')).toBe(false);
    expect(await protocol.client.nextText()).toBe('{"event":"poked"}');
    expect(await raw.nextText()).toBe(SAID);
    await chat.toAll({ exclude: protocolId }).emit('said', { text: 'all' });
    await chat.toAll().emit('poked');
    expect(await raw.nextText()).toBe('{"event":"said","data":{"text":"all"}}');
    expect(await raw.nextText()).toBe('{"event":"poked"}');
    expect(await protocol.client.nextText()).toBe('{"event":"poked"}');
  });

  it('the default app is used when none is given', () => {
    expect(eventEmitter<TestEvents>().toLocal(rawId).emit('poked')).toBe(false);
  });
});

describe('history frames', () => {
  it('an event kept in history reaches protocol members as a history frame, raw members unchanged', async () => {
    const position = await eventEmitter<TestEvents>(server.app)
      .toRoom(ROOM, { history: true })
      .emit('said', { text: 'hi' });
    expect(position).toEqual({ epoch: expect.any(String), offset: 1 });
    expect(await protocol.client.nextText()).toBe(
      `{"room":"open:room","epoch":${JSON.stringify(position.epoch)},"offset":1,"event":"said","data":{"text":"hi"}}`,
    );
    expect(await raw.nextText()).toBe(SAID);
  });

  it.each([
    ['plain text', 'plain text', { message: 'plain text' }],
    ['JSON that is not an event', '{"a":1}', { message: '{"a":1}' }],
    [
      'an event frame holding a history key',
      '{"event":"x","room":"elsewhere"}',
      { message: '{"event":"x","room":"elsewhere"}' },
    ],
    ['an event frame that is not JSON', '{"event":"x",', { message: '{"event":"x",' }],
    ['an event without data', '{"event":"x"}', { event: 'x' }],
    ['bytes', new Uint8Array([0, 1, 255]), { binary: Buffer.from([0, 1, 255]).toString('base64') }],
  ])('carries %s in the form the protocol gives it, and raw members get it as emitted', async (_label, message, form) => {
    const position = await server.app.emitToRoom(ROOM, message, { history: true });
    const frame = JSON.parse(await protocol.client.nextText());
    expect(frame).toEqual({ room: ROOM, ...position, ...form });
    const received = await raw.next();
    if (typeof message === 'string') expect(received.text).toBe(message);
    else expect([...received.data]).toEqual([...message]);
  });

  it('reaches a connection joined server-side as history frames too', async () => {
    expect(await protocol.request('enter', 'staff')).toMatchObject({ data: true });
    const position = await server.app.emitToRoom('staff', 'memo', { history: true });
    expect(JSON.parse(await protocol.client.nextText())).toEqual({
      room: 'staff',
      ...position,
      message: 'memo',
    });
  });

  it('a message emitted without history stays the same bytes for protocol members', async () => {
    await server.app.emitToRoom(ROOM, '{"event":"x","data":1}');
    expect(await protocol.client.nextText()).toBe('{"event":"x","data":1}');
  });
});
