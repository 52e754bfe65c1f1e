import { MemoryCacheManager } from '@arcade/cache-memory';
import type { App } from '@arcade/core';
import { waitFor } from '@arcade/test-support';
import { startServer, type TestServer } from '../support/server';
import { keysMentioning, TrackingCache } from '../support/tracking-cache';

const cycles = 1000;
const wave = 20;
const sharedRooms = ['lobby', 'stream:42', 'salle 🎉'];

function defineRoutes(app: App): void {
  app.route.get('/ws/:room').handleWebSocket(
    (_ctx, websocket, id) => {
      websocket.add(id);
    },
    {
      onConnect: async (ctx, _websocket, id) => {
        await app.joinRoom(id, ctx.pathParameters.room!);
        await app.joinRoom(id, `own:${id}`);
        await app.updateConnectionMetadata(id, { owner: id });
      },
    },
  );
}

describe('connect/disconnect cycles', () => {
  let server: TestServer;
  let storage: TrackingCache;

  beforeEach(async () => {
    storage = new TrackingCache(new MemoryCacheManager());
    server = await startServer(defineRoutes, {
      setup: async (app) => {
        await app.initializeWebSocketStorage(storage);
      },
    });
  });

  afterEach(() => server.close());

  it(`leaves no connection, room or stored key behind after ${cycles} cycles`, async () => {
    const ids: string[] = [];
    for (let done = 0; done < cycles; done += wave) {
      await Promise.all(
        Array.from({ length: wave }, async (_, index) => {
          const room = sharedRooms[(done + index) % sharedRooms.length]!;
          const client = await server.connect(`/ws/${encodeURIComponent(room)}`);
          ids.push(await client.nextText());
          await client.close();
        }),
      );
    }
    expect(new Set(ids).size).toBe(cycles);

    await waitFor(async () => (await server.app.getAllConnections()).length === 0, {
      description: 'every connection record to be removed',
    });
    expect(server.app.localConnectionIds).toEqual([]);
    expect(server.app.hasLocalConnections).toBe(false);
    for (const room of sharedRooms) expect(await server.app.getRoomMembers(room)).toEqual([]);
    expect(await server.app.getRoomMembers(`own:${ids[0]}`)).toEqual([]);

    const leftovers = keysMentioning(await storage.storedKeys(), [...ids, ...sharedRooms, 'own:']);
    expect(leftovers).toEqual([]);
  }, 120_000); // a bound for a loaded machine (2 shared cores), not a performance target
});
