import { TestClient } from '@arcade/test-support';
import { EventError } from '@arcade/ws';
import { startServer, type TestServer } from '../support/server';
import { ProtocolClient } from './support/protocol-client';
import { defineTestRoutes, type Observed, type TestEvents, testDefinition } from './support/test-events';

// Rooms a client asks for (docs/events-protocol.md, "Joining..."): authorizeJoin decides, the name and
// the room limit are checked, leave works, and server-side joins need no authorization. Recovery of
// missed messages: recovery.test.ts.

let server: TestServer;
let observed: Observed;

beforeEach(async () => {
  observed = { calls: [] };
  server = await startServer(
    (app) => {
      defineTestRoutes(app, observed);
      const { authorizeJoin: _none, ...withoutAuthorization } = testDefinition(observed);
      app.route.get('/no-authorization').handleEvents<TestEvents>(withoutAuthorization);
      app.route.get('/throwing-authorization').handleEvents<TestEvents>(
        testDefinition(observed, {
          authorizeJoin: (room) => {
            if (room === 'vip') throw new EventError('PAYMENT_REQUIRED', 'VIP rooms need a subscription');
            throw new Error('database down');
          },
        }),
      );
    },
    { serverOptions: { webSocket: { maxRoomsPerConnection: 2 } } },
  );
});

afterEach(async () => {
  await TestClient.terminateAll();
  await server.close();
});

async function connect(path = '/events'): Promise<{ client: ProtocolClient; id: string }> {
  const client = await ProtocolClient.connect(server.wsUrl(path));
  const id = (await client.request('whoami')).data as string;
  return { client, id };
}

it('joins a room authorizeJoin allows: recovered, no position yet, and room emits reach it', async () => {
  const { client, id } = await connect();
  expect(await client.join('open:lobby')).toEqual({
    t: 'res',
    id: 2,
    data: { recovered: true, position: null },
  });
  expect(await server.app.getRoomMembers('open:lobby')).toEqual([id]);
  await server.app.emitToRoom('open:lobby', 'hello');
  expect(await client.client.nextText()).toBe('hello');
});

it('refuses a join authorizeJoin refuses, and the connection is not a member', async () => {
  const { client } = await connect();
  expect(await client.join('closed:lobby')).toMatchObject({ t: 'err', code: 'JOIN_REFUSED' });
  expect(await server.app.getRoomMembers('closed:lobby')).toEqual([]);
});

it('refuses every client join on a route without authorizeJoin', async () => {
  const { client } = await connect('/no-authorization');
  expect(await client.join('open:lobby')).toMatchObject({
    t: 'err',
    code: 'JOIN_REFUSED',
    message: expect.stringContaining('authorizeJoin'),
  });
  expect(await server.app.getRoomMembers('open:lobby')).toEqual([]);
});

it('passes an EventError of authorizeJoin on, and answers HANDLER_FAILED for any other throw', async () => {
  const { client } = await connect('/throwing-authorization');
  expect(await client.join('vip')).toMatchObject({
    code: 'PAYMENT_REQUIRED',
    message: 'VIP rooms need a subscription',
  });
  expect(await client.join('other')).toMatchObject({ code: 'HANDLER_FAILED' });
  expect(JSON.stringify(server.logger.entries)).toContain('database down');
  expect(await client.request('add', { a: 1, b: 2 })).toMatchObject({ data: 3 });
});

it.each([
  ['an empty name', ''],
  ['a control character', 'open:\u0001'],
  ['a name over 256 characters', `open:${'x'.repeat(300)}`],
])('answers INVALID_ROOM_NAME for %s, before authorizeJoin', async (_label, room) => {
  const { client } = await connect();
  expect(await client.join(room)).toMatchObject({ t: 'err', code: 'INVALID_ROOM_NAME' });
  expect(await client.leave(room)).toMatchObject({ t: 'err', code: 'INVALID_ROOM_NAME' });
});

it('answers ROOM_LIMIT past maxRoomsPerConnection', async () => {
  const { client, id } = await connect();
  expect(await client.join('open:a')).toMatchObject({ t: 'res' });
  expect(await client.join('open:b')).toMatchObject({ t: 'res' });
  expect(await client.join('open:c')).toMatchObject({ t: 'err', code: 'ROOM_LIMIT' });
  expect(await server.app.getRoomMembers('open:c')).toEqual([]);
  expect((await server.app.getConnectionInfo(id))?.rooms).toEqual(new Set(['open:a', 'open:b']));
});

it('leaves a room: the reply has no data and later room emits do not reach it', async () => {
  const { client, id } = await connect();
  await client.join('open:lobby');
  expect(await client.leave('open:lobby')).toEqual({ t: 'res', id: 3 });
  expect(await server.app.getRoomMembers('open:lobby')).not.toContain(id);
  await server.app.emitToRoom('open:lobby', 'after leave');
  await server.app.emitTo(id, 'marker');
  expect(await client.client.nextText()).toBe('marker');
});

it('joins server-side without authorizeJoin (socket.join)', async () => {
  const { client, id } = await connect();
  expect(await client.request('enter', 'staff')).toMatchObject({ data: true });
  expect(await server.app.getRoomMembers('staff')).toEqual([id]);
});

it('answers a join of a room with history with its current position, and replays nothing without since', async () => {
  const first = await server.app.emitToRoom('open:news', 'one', { history: true });
  const second = await server.app.emitToRoom('open:news', 'two', { history: true });
  expect(second).toEqual({ epoch: first.epoch, offset: 2 });
  const { client } = await connect();
  expect(await client.join('open:news')).toMatchObject({ data: { recovered: true, position: second } });
  expect(client.historyFramesOf('open:news')).toEqual([]);
});
