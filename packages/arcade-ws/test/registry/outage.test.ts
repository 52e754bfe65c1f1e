import { MemoryCacheManager } from '@arcade/cache-memory';
import { createApp, silentLogger } from '@arcade/core';
import { waitFor } from '@arcade/test-support';
import { StorageUnavailableError, WebSocketManager } from '../../src/index';
import { elapsedSince, STORAGE_FAILURE_BOUND_MS, TIMING_SLACK_MS } from '../support/bounds';
import { OutageCache } from './outage-cache';
import { TestCluster, type TestInstance } from './support';

describe('a storage outage', () => {
  let cluster: TestCluster;
  let flaky: OutageCache;
  let a: TestInstance;
  let b: TestInstance;

  beforeEach(async () => {
    cluster = new TestCluster();
    flaky = new OutageCache(new MemoryCacheManager({ store: cluster.store }));
    a = await cluster.start({ instanceLeaseMs: 300 }, flaky);
    b = await cluster.start({ instanceLeaseMs: 300 });
  });

  afterEach(() => {
    flaky.up();
    return cluster.stop();
  });

  it('keeps local delivery going while calls that need storage fail with StorageUnavailableError', async () => {
    const [a1, a2] = [await a.connect(), await a.connect()];
    const b1 = await b.connect();
    for (const connection of [a1, a2, b1]) await a.app.joinRoom(connection.id, 'room');
    flaky.down();

    await expect(a.app.emitToRoom('room', 'local still works')).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    expect(a1.received).toEqual(['local still works']);
    expect(a2.received).toEqual(['local still works']);
    expect(a.app.emitTo(a1.id, 'direct')).toBe(true);
    await expect(a.app.emitToAll('all')).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    expect(a1.received).toEqual(['local still works', 'direct', 'all']);
    await expect(a.app.getRoomMembers('room')).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(a.app.joinRoom(a1.id, 'other')).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(a.app.emitToConnection(b1.id, 'x')).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(a.app.getAllConnections()).rejects.toBeInstanceOf(StorageUnavailableError);
    // A failed join leaves no trace: neither locally nor in storage.
    expect((await a.app.getConnectionInfo(a1.id))?.rooms).toEqual(new Set(['room']));
    expect(await b.app.getRoomMembers('other')).toEqual([]);
  });

  it('delivers a history emit to nobody, local members included, when the storage cannot keep it', async () => {
    const a1 = await a.connect();
    const b1 = await b.connect();
    for (const connection of [a1, b1]) await a.app.joinRoom(connection.id, 'room');
    flaky.down();
    await expect(a.app.emitToRoom('room', 'not kept', { history: true })).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    await expect(a.app.getRoomHistory('room')).rejects.toBeInstanceOf(StorageUnavailableError);
    flaky.up();
    const kept = await a.app.emitToRoom('room', 'kept', { history: true });
    expect(kept.offset).toBe(1);
    expect(await a1.waitForCount(1)).toEqual(['kept']);
    expect(await b1.waitForCount(1)).toEqual(['kept']);
    expect((await b.app.getRoomHistory('room')).messages.map((entry) => entry.message)).toEqual(['kept']);
  });

  it('fails a call that gets no answer with StorageUnavailableError within the 5 s bound', async () => {
    const a1 = await a.connect();
    flaky.down('hang');
    const startedAt = performance.now();
    await expect(a.app.joinRoom(a1.id, 'room')).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(elapsedSince(startedAt)).toBeLessThanOrEqual(STORAGE_FAILURE_BOUND_MS + TIMING_SLACK_MS);
    flaky.up();
  });

  it('writes connections opened during the outage and cleans those closed during it, once storage is back', async () => {
    const leaving = await a.connect();
    await a.app.joinRoom(leaving.id, 'room');
    flaky.down();
    const arriving = await a.connect();
    await a.close(leaving);
    expect(a.app.localConnectionIds).toEqual([arriving.id]);
    flaky.up();
    await waitFor(async () => (await b.app.getConnectionInfo(arriving.id)) !== null, {
      description: 'the connection opened during the outage to be written',
    });
    await waitFor(async () => (await b.app.getConnectionInfo(leaving.id)) === null, {
      description: 'the connection closed during the outage to be removed',
    });
    expect(await b.app.getRoomMembers('room')).toEqual([]);
  });

  it('restores everything after the storage came back empty, and cross-instance delivery resumes', async () => {
    const a1 = await a.connect();
    const b1 = await b.connect();
    await b.app.joinRoom(a1.id, 'room');
    await a.app.updateConnectionMetadata(a1.id, { name: 'ada' });
    flaky.down();
    // The lease lapses meanwhile: B cleans A up, as it would after a crash.
    await waitFor(async () => (await b.app.getConnectionInfo(a1.id)) === null, {
      description: 'B to clean up A once its lease lapsed',
    });
    flaky.up();
    await waitFor(async () => (await b.app.getRoomMembers('room')).length === 1, {
      description: 'A to restore its membership',
    });
    expect((await b.app.getConnectionInfo(a1.id))?.metadata).toMatchObject({ name: 'ada' });
    await b.app.emitToRoom('room', 'welcome back');
    expect(await a1.next()).toBe('welcome back');
    await a.app.joinRoom(b1.id, 'room');
    await a.app.emitToRoom('room', 'both ways');
    expect(await b1.next()).toBe('both ways');
  });

  it('keeps the cache after a failed start, so that a later start succeeds', async () => {
    const app = createApp({ logger: silentLogger });
    const cache = new OutageCache(new MemoryCacheManager({ store: cluster.store }));
    cache.down();
    await expect(app.initializeWebSocketStorage(cache)).rejects.toBeInstanceOf(StorageUnavailableError);
    cache.up();
    await expect(WebSocketManager.of(app).ensureStorage()).resolves.toBeUndefined();
    expect(cache.status).toBe('ready');
    await app.disposeWebSocketStorage();
    expect(cache.status).toBe('disposed');
  });
});
