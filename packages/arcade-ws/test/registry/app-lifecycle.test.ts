import { createMemoryStore, MemoryCacheManager } from '@arcade/cache-memory';
import { type App, createApp, silentLogger } from '@arcade/core';
import '../../src/index';
import { storageKeys } from '../../src/registry/keys';

// Whatever first touches an app's WebSocket state owns the lifecycle: an app that never defines a
// WebSocket route still gets its server-wide options applied and its storage left on close.

/** An app whose only route emits to every connection through the registry, as an admin API would. */
async function startAnnouncer(app: App, webSocket = {}) {
  return app.runServer({
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger,
    webSocket,
    init: () => {
      app.route.post('/announce').handle(async () => {
        await app.emitToAll('news');
        return 'sent';
      });
    },
  });
}

describe('an app with HTTP routes only', () => {
  const store = createMemoryStore();
  const observer = new MemoryCacheManager({ store });

  beforeAll(() => observer.init());
  afterAll(() => observer.dispose());

  it('rejects an invalid server-wide webSocket option at start', async () => {
    const app = createApp({ logger: silentLogger });
    await app.initializeWebSocketStorage(new MemoryCacheManager({ store }));
    await expect(startAnnouncer(app, { maxRoomsPerConnection: 0 })).rejects.toThrow(/maxRoomsPerConnection/);
    await app.disposeWebSocketStorage();
  });

  it('leaves its storage and disposes the cache on server.close()', async () => {
    const app = createApp({ logger: silentLogger });
    const cache = new MemoryCacheManager({ store });
    await app.initializeWebSocketStorage(cache);
    const server = await startAnnouncer(app);
    const answer = await fetch(`http://127.0.0.1:${server.port}/announce`, { method: 'POST' });
    expect(await answer.text()).toBe('sent');
    expect(await observer.contains(storageKeys.lease(app.serverInstanceId))).toBe(true);

    await server.close();
    expect(cache.status).toBe('disposed');
    expect(await observer.contains(storageKeys.lease(app.serverInstanceId))).toBe(false);
    expect(await observer.setMembers(storageKeys.instances)).not.toContain(app.serverInstanceId);
  });

  it('leaves the storage but keeps the cache open when the caller keeps it (disposeCache: false)', async () => {
    const app = createApp({ logger: silentLogger });
    const cache = new MemoryCacheManager({ store });
    await app.initializeWebSocketStorage(cache, { disposeCache: false });
    const server = await startAnnouncer(app);
    await cache.set('app:own-data', 'kept');

    await server.close();
    expect(cache.status).toBe('ready');
    expect(await cache.get('app:own-data')).toBe('kept');
    expect(await observer.contains(storageKeys.lease(app.serverInstanceId))).toBe(false);
    await app.disposeWebSocketStorage();
    expect(cache.status).toBe('ready');
    await cache.dispose();
  });

  it('disposes a cache it owns on disposeWebSocketStorage(), keeps one it does not', async () => {
    const owned = new MemoryCacheManager({ store });
    const kept = new MemoryCacheManager({ store });
    const app = createApp({ logger: silentLogger });
    await app.initializeWebSocketStorage(owned);
    await app.initializeWebSocketStorage(kept, { disposeCache: false });
    expect(owned.status).toBe('disposed');
    await app.disposeWebSocketStorage();
    expect(kept.status).toBe('ready');
    await kept.dispose();
  });
});
