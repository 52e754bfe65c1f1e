// Guide: "WebSocket storage" — initializing with the default memory cache.
// Run: node examples/dist/storage-memory.js, then connect two clients to
//      ws://localhost:3000/ws/rooms/lobby and send text: both receive it.
import type { ArcadeServer } from '@arcade/core';
import { initializeWebSocketStorage, runServer } from '@arcade/ws';
import { defineRoomRelay } from './room-relay';
import { type ExampleOptions, runFromCommandLine } from './run-example';

export async function start(options: ExampleOptions): Promise<ArcadeServer> {
  // Memory storage: rooms and connections live in this process (the default when omitted).
  await initializeWebSocketStorage();
  // server.close() leaves and disposes the storage: no disposeWebSocketStorage() needed after it.
  return runServer({ ...options, init: defineRoomRelay });
}

if (require.main === module) runFromCommandLine(start);
