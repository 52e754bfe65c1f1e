import { TestClient, waitFor } from '@arcade/test-support';
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
      app.route.get('/hooked').handleEvents<TestEvents>(
        testDefinition(observed, {
          onJoined: async (room, socket, result) => {
            // Announced once the join stands: the member is in the room already.
            const members = await socket.join(room).then(() => app.getRoomMembers(room));
            observed.calls.push(['onJoined', { room, result, members }]);
          },
          onLeave: (room, socket) => {
            observed.calls.push(['onLeave', { room, id: socket.id }]);
            if (room === 'open:locked') throw new EventError('LOCKED', 'This room cannot be left');
          },
        }),
      );
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

it('calls onJoined after a join was answered, with what the client was told', async () => {
  const { client, id } = await connect('/hooked');
  const reply = await client.join('open:lobby');
  await waitFor(() => observed.calls.some(([name]) => name === 'onJoined'), { description: 'onJoined' });
  expect(observed.calls.find(([name]) => name === 'onJoined')?.[1]).toEqual({
    room: 'open:lobby',
    result: reply.data,
    members: [id],
  });
  await client.join('closed:lobby');
  await client.request('whoami');
  expect(observed.calls.filter(([name]) => name === 'onJoined')).toHaveLength(1);
});

it('awaits onLeave before a leave, and an EventError there refuses it', async () => {
  const { client, id } = await connect('/hooked');
  await client.join('open:locked');
  await client.join('open:lobby');
  expect(await client.leave('open:locked')).toMatchObject({ t: 'err', code: 'LOCKED' });
  expect(await server.app.getRoomMembers('open:locked')).toEqual([id]);
  expect(await client.leave('open:lobby')).toMatchObject({ t: 'res' });
  expect(await server.app.getRoomMembers('open:lobby')).toEqual([]);
  expect(observed.calls.filter(([name]) => name === 'onLeave').map(([, call]) => call)).toEqual([
    { room: 'open:locked', id },
    { room: 'open:lobby', id },
  ]);
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
