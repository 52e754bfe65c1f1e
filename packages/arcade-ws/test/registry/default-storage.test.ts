import { MemoryCacheManager } from '@arcade/cache-memory';
import { createApp, silentLogger } from '@arcade/core';
import { waitFor } from '@arcade/test-support';
import { InvalidRoomNameError, WebSocketManager } from '../../src/index';
import { RecordingConnection, TestCluster } from './support';

/** A shared memory cache whose init() waits until `open()` is called. */
class GatedInit extends MemoryCacheManager {
  open: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => {
    this.open = resolve;
  });
  private reached: () => void = () => undefined;
  readonly waiting = new Promise<void>((resolve) => {
    this.reached = resolve;
  });

  override async init(): Promise<void> {
    this.reached();
    await this.gate;
    await super.init();
  }
}

// An app that never initialized storage keeps its connections in memory only: the private default
// store is unreachable from other instances, so nothing per connection is written there.
describe('the default (private, in-memory) storage', () => {
  const apps: WebSocketManager[] = [];
  let cluster: TestCluster;

  function solitaryInstance() {
    const app = createApp({ logger: silentLogger });
    const manager = WebSocketManager.of(app);
    apps.push(manager);
    const connect = async () => {
      const connection = new RecordingConnection();
      await manager.addConnection(connection, { userAgent: 'jest', remoteAddress: '127.0.0.1' });
      return connection;
    };
    const close = async (connection: RecordingConnection) => {
      connection.close(1000);
      await manager.removeConnection(connection.id);
      manager.forgetConnection(connection.id);
    };
    return { app, manager, connect, close };
  }

  beforeEach(() => {
    cluster = new TestCluster();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((manager) => manager.shutdown()));
    await cluster.stop();
  });

  it('writes nothing at all to storage: no connection, index, membership or lease', async () => {
    const writes = jest.spyOn(MemoryCacheManager.prototype, 'batch');
    try {
      const { app, connect, close } = solitaryInstance();
      const a = await connect();
      await app.joinRoom(a.id, 'lobby');
      await app.updateConnectionMetadata(a.id, { name: 'Ann' });
      await app.leaveRoom(a.id, 'lobby');
      await close(a);
      await apps.pop()?.shutdown();
      expect(writes).not.toHaveBeenCalled();
    } finally {
      writes.mockRestore();
    }
  });

  it('subscribes to nothing and keeps no timer while connections join, leave and close', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });
    const subscribe = jest.spyOn(MemoryCacheManager.prototype, 'subscribe');
    try {
      const { app, manager } = solitaryInstance();
      await manager.ensureStorage();
      const connection = new RecordingConnection();
      await manager.addConnection(connection);
      await app.joinRoom(connection.id, 'room');
      await app.emitToRoom('room', 'hello');
      await app.emitToAll('everyone');
      expect(connection.received).toEqual(['hello', 'everyone']);
      expect(await app.getRoomMembers('room')).toEqual([connection.id]);
      await app.leaveRoom(connection.id, 'room');
      expect(subscribe).not.toHaveBeenCalled();
      expect(jest.getTimerCount()).toBe(0);
      await manager.removeConnection(connection.id);
    } finally {
      jest.useRealTimers();
      subscribe.mockRestore();
    }
  });

  it('answers rooms, connection info and listings from memory, and forgets a closed connection', async () => {
    const { app, connect, close } = solitaryInstance();
    const a = await connect();
    const b = await connect();
    await app.joinRoom(a.id, 'lobby');
    await app.joinRoom(b.id, 'lobby');
    await app.joinRoom(a.id, 'news');
    await app.updateConnectionMetadata(a.id, { name: 'Ann' });

    expect(await app.getRoomMembers('lobby')).toEqual([a.id, b.id]);
    expect(await app.getRoomMembers('news')).toEqual([a.id]);
    expect(await app.getRoomMembers('empty')).toEqual([]);
    const info = await app.getConnectionInfo(a.id);
    expect(info?.rooms).toEqual(new Set(['lobby', 'news']));
    expect(info?.metadata).toEqual({ userAgent: 'jest', remoteAddress: '127.0.0.1', name: 'Ann' });
    expect((await app.getAllConnections()).map((connection) => connection.id)).toEqual([a.id, b.id]);
    const first = await app.getConnectionsPage({ limit: 1 });
    const second = await app.getConnectionsPage({ limit: 1, cursor: first.nextCursor ?? undefined });
    expect(second.nextCursor).toBeNull();
    const paged = [...first.connections, ...second.connections].map((connection) => connection.id);
    expect(paged.sort()).toEqual([a.id, b.id].sort());

    await app.leaveRoom(b.id, 'lobby');
    expect(await app.getRoomMembers('lobby')).toEqual([a.id]);
    await close(a);
    expect(await app.getRoomMembers('lobby')).toEqual([]);
    expect(await app.getConnectionInfo(a.id)).toBeNull();
    expect(await app.emitToConnection(a.id, 'gone')).toBe(false);
    expect((await app.getAllConnections()).map((connection) => connection.id)).toEqual([b.id]);
  });

  it('applies joins and leaves of one connection issued without awaiting in the order they were called', async () => {
    const { app, connect } = solitaryInstance();
    const a = await connect();
    await app.joinRoom(a.id, 'kept');
    // A join right behind a queued leave (and a metadata change) must wait for them, not overtake them.
    await Promise.all([
      app.leaveRoom(a.id, 'kept'),
      app.updateConnectionMetadata(a.id, { name: 'Ann' }),
      app.joinRoom(a.id, 'kept'),
    ]);
    // A leave right behind a join that completed at once must still remove it.
    await Promise.all([app.joinRoom(a.id, 'gone'), app.leaveRoom(a.id, 'gone')]);
    expect((await app.getConnectionInfo(a.id))?.rooms).toEqual(new Set(['kept']));
    expect(await app.getRoomMembers('gone')).toEqual([]);
    await expect(app.joinRoom(a.id, 'bad\u0000name')).rejects.toBeInstanceOf(InvalidRoomNameError);
  });

  it('writes a join made while the app was moving to a shared storage there', async () => {
    const { app, connect } = solitaryInstance();
    const a = await connect();
    const next = new GatedInit({ store: cluster.store });
    const switched = app.initializeWebSocketStorage(next);
    await next.waiting;
    const joined = app.joinRoom(a.id, 'lobby');
    next.open();
    await Promise.all([joined, switched]);
    const other = await cluster.start();
    expect(await other.app.getRoomMembers('lobby')).toEqual([a.id]);
  });

  it('writes a connection that arrived while the app was moving to a shared storage there', async () => {
    const { app, connect } = solitaryInstance();
    await connect(); // the private store is in use
    const next = new GatedInit({ store: cluster.store });
    const switched = app.initializeWebSocketStorage(next);
    await next.waiting;
    const arriving = connect(); // waits for the new storage
    next.open();
    const [late] = await Promise.all([arriving, switched]);
    const other = await cluster.start();
    await waitFor(async () => (await other.app.getConnectionInfo(late.id)) !== null, {
      description: 'the late connection to be visible from another instance',
    });
    expect((await other.app.getConnectionInfo(late.id))?.serverInstanceId).toBe(app.serverInstanceId);
  });

  it('moving to a shared storage writes the live connections there, so other instances see them', async () => {
    const { app, connect } = solitaryInstance();
    const a = await connect();
    await app.joinRoom(a.id, 'lobby');
    await app.updateConnectionMetadata(a.id, { name: 'Ann' });

    const other = await cluster.start();
    await app.initializeWebSocketStorage(new MemoryCacheManager({ store: cluster.store }));

    expect(await other.app.getRoomMembers('lobby')).toEqual([a.id]);
    const info = await other.app.getConnectionInfo(a.id);
    expect(info?.serverInstanceId).toBe(app.serverInstanceId);
    expect(info?.rooms).toEqual(new Set(['lobby']));
    expect(info?.metadata).toMatchObject({ name: 'Ann' });
    await other.app.emitToRoom('lobby', 'from the other instance');
    expect(await a.next()).toBe('from the other instance');
  });
});
