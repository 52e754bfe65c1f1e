// Guide: "WebSocket storage" — using any cache manager implementation (here CountingCacheManager,
// a CacheManager of our own, from counting-cache-manager.ts).
// Run: node examples/dist/storage-custom.js, connect clients to ws://localhost:3000/ws/rooms/lobby,
//      then `curl localhost:3000/api/storage/calls` shows what the WebSocket layer asked the storage.
import type { ArcadeServer } from '@arcade/core';
import { initializeWebSocketStorage, route, runServer } from '@arcade/ws';
import { CountingCacheManager } from './counting-cache-manager';
import { defineRoomRelay } from './room-relay';
import { type ExampleOptions, runFromCommandLine } from './run-example';

export async function start(options: ExampleOptions): Promise<ArcadeServer> {
  const customCache = new CountingCacheManager();
  await customCache.init();
  await initializeWebSocketStorage(customCache); // disposed by server.close()
  return runServer({
    ...options,
    init: () => {
      defineRoomRelay();
      route.get('/api/storage/calls').handle(() => customCache.calls);
    },
  });
}

if (require.main === module) runFromCommandLine(start);
