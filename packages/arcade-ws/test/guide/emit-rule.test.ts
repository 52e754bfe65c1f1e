import type { App } from '@arcade/core';
import type { TestClient } from '@arcade/test-support';
import { eventCases, expectFrame, messageCases } from '../support/emit-cases';
import { startServer, type TestServer } from '../support/server';

function defineRoutes(app: App): void {
  app.route.get('/ws').handleWebSocket(
    (_ctx, websocket, id) => {
      websocket.add(id);
    },
    { onConnect: (_ctx, _websocket, id) => app.joinRoom(id, 'room').then(() => undefined) },
  );
}

type Emitter = (app: App, id: string, ...args: unknown[]) => unknown;

/** Calls one of the app's emit functions with arguments passed through untyped, as a user might. */
function invoke(
  app: App,
  name: 'emitToAll' | 'emitTo' | 'emitToConnection' | 'emitToRoom',
  args: unknown[],
): unknown {
  return Reflect.apply(app[name] as (...values: unknown[]) => unknown, app, args);
}

// Each emit function, addressed at the one connected client.
const emitters: ReadonlyArray<[name: string, emit: Emitter]> = [
  ['emitToAll', (app, _id, ...args) => invoke(app, 'emitToAll', args)],
  ['emitTo', (app, id, ...args) => invoke(app, 'emitTo', [id, ...args])],
  ['emitToConnection', (app, id, ...args) => invoke(app, 'emitToConnection', [id, ...args])],
  ['emitToRoom', (app, _id, ...args) => invoke(app, 'emitToRoom', ['room', ...args])],
];

describe('the emit rule delivers exactly what was emitted', () => {
  let server: TestServer;
  let client: TestClient;
  let id: string;

  beforeAll(async () => {
    server = await startServer(defineRoutes);
    client = await server.connect('/ws');
    id = await client.nextText();
  });

  afterAll(() => server.close());

  describe.each(emitters)('%s', (_name, emit) => {
    it.each(messageCases)('sends %s as is', async (_label, message, expected) => {
      await emit(server.app, id, message);
      expectFrame(await client.next(), expected);
    });

    if (_name !== 'emitToRoom') {
      it.each(eventCases)('sends an event with %s as {event, data}', async (_label, event, data, text) => {
        await emit(server.app, id, event, data);
        expectFrame(await client.next(), { text });
      });
    }
  });

  it('emitTo answers true for a local open connection and false otherwise', () => {
    expect(server.app.emitTo(id, 'x')).toBe(true);
    expect(server.app.emitTo('unknown-id', 'x')).toBe(false);
    return client.next('x');
  });

  it('emitToConnection resolves whether the connection exists', async () => {
    await expect(server.app.emitToConnection(id, 'y')).resolves.toBe(true);
    await expect(server.app.emitToConnection('unknown-id', 'y')).resolves.toBe(false);
    await client.next('y');
  });
});

describe('emitToRoom', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer(defineRoutes);
  });

  afterEach(() => server.close());

  it('skips the excluded connections, given as one id or a list', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => server.connect('/ws')));
    const ids = await Promise.all(clients.map((client) => client.nextText()));
    const [a, b, c] = clients as [TestClient, TestClient, TestClient];
    await server.app.emitToRoom('room', 'not for a', { exclude: ids[0] });
    await server.app.emitToRoom('room', 'for a only', { exclude: [ids[1]!, ids[2]!] });
    expect(await a.nextText()).toBe('for a only');
    expect(await b.nextText()).toBe('not for a');
    expect(await c.nextText()).toBe('not for a');
    await server.app.emitToRoom('room', 'everyone');
    for (const client of clients) expect(await client.nextText()).toBe('everyone');
  });

  it('reaches nobody outside the room', async () => {
    const inside = await server.connect('/ws');
    const insideId = await inside.nextText();
    const outside = await server.connect('/ws');
    const outsideId = await outside.nextText();
    await server.app.leaveRoom(outsideId, 'room');
    await server.app.emitToRoom('room', 'members only');
    server.app.emitTo(outsideId, 'direct');
    expect(await outside.nextText()).toBe('direct');
    expect(await inside.nextText()).toBe('members only');
    expect(await server.app.getRoomMembers('room')).toEqual([insideId]);
  });

  it('sends nothing and resolves for a room with no member', async () => {
    const bystander = await server.connect('/ws');
    const bystanderId = await bystander.nextText();
    await expect(server.app.emitToRoom('empty room', 'for nobody')).resolves.toBeUndefined();
    // Frames to one socket keep their order: had the room emit sent anything, it would come first.
    server.app.emitTo(bystanderId, 'marker');
    expect(await bystander.nextText()).toBe('marker');
  });
});
