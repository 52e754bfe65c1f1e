import { defaultApp } from '@arcade/core';
import * as ws from '../../src/index';
import { LocalRegistry } from '../../src/registry/local-registry';
import { RecordingConnection } from './support';

describe('module-level functions (default app)', () => {
  const manager = ws.WebSocketManager.of(defaultApp);

  afterAll(() => manager.shutdown());

  it('are the default app methods, with live serverInstanceId, localConnectionIds and hasLocalConnections', async () => {
    expect(ws.serverInstanceId).toBe(defaultApp.serverInstanceId);
    expect(ws.hasLocalConnections).toBe(false);
    const connection = new RecordingConnection();
    await manager.addConnection(connection, {});
    expect(ws.localConnectionIds).toEqual([connection.id]);
    expect(ws.hasLocalConnections).toBe(true);
    expect(ws.WebSocketManager.getConnectedIds()).toEqual([connection.id]);

    expect(await ws.joinRoom(connection.id, 'guide')).toBe(true);
    await ws.emitToRoom('guide', 'to the room');
    await ws.emitToAll('everyone', 1);
    expect(ws.emitTo(connection.id, 'direct')).toBe(true);
    expect(await ws.emitToConnection(connection.id, 'anywhere')).toBe(true);
    expect(connection.received).toEqual([
      'to the room',
      '{"event":"everyone","data":1}',
      'direct',
      'anywhere',
    ]);
    expect(await ws.getRoomMembers('guide')).toEqual([connection.id]);
    expect((await ws.getAllConnections()).map((info) => info.id)).toEqual([connection.id]);
    expect((await ws.getConnectionsPage({ limit: 1 })).connections.map((info) => info.id)).toEqual([
      connection.id,
    ]);

    ws.WebSocketManager.setConnectionData(connection.id, { started: 1 });
    expect(ws.WebSocketManager.getConnectionData(connection.id)).toEqual({ started: 1 });

    await manager.removeConnection(connection.id);
    manager.forgetConnection(connection.id);
    expect(ws.localConnectionIds).toEqual([]);
    expect(ws.hasLocalConnections).toBe(false);
  });

  it('compute localConnectionIds on read: no rebuild per connect or disconnect, one frozen array per state', async () => {
    const built = jest.spyOn(LocalRegistry.prototype, 'ids');
    try {
      const connections = Array.from({ length: 1000 }, () => new RecordingConnection());
      for (const connection of connections) await manager.addConnection(connection, {});
      for (const connection of connections.slice(1)) await manager.removeConnection(connection.id);
      expect(built).not.toHaveBeenCalled();

      const ids = ws.localConnectionIds;
      expect(ids).toEqual([connections[0]!.id]);
      expect(Object.isFrozen(ids)).toBe(true);
      expect(ws.localConnectionIds).toBe(ids);
      expect(defaultApp.localConnectionIds).toBe(ids);
      expect(ws.hasLocalConnections).toBe(true);
      expect(built).toHaveBeenCalledTimes(1);

      await manager.removeConnection(connections[0]!.id);
      expect(ws.localConnectionIds).toEqual([]);
      expect(ws.hasLocalConnections).toBe(false);
      expect(ids).toEqual([connections[0]!.id]);
      for (const connection of connections) manager.forgetConnection(connection.id);
    } finally {
      built.mockRestore();
    }
  });

  it('give each createApp() instance its own registry', async () => {
    const other = ws.createApp();
    expect(other.serverInstanceId).not.toBe(ws.serverInstanceId);
    const connection = new RecordingConnection();
    await ws.WebSocketManager.of(other).addConnection(connection, {});
    expect(other.localConnectionIds).toEqual([connection.id]);
    expect(ws.localConnectionIds).toEqual([]);
    await ws.WebSocketManager.of(other).shutdown();
  });
});
