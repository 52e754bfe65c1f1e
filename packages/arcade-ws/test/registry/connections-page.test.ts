import type { CacheValue } from '@arcade/cache';
import { MemoryCacheManager, type MemoryStore } from '@arcade/cache-memory';
import type { ConnectionInfo, ConnectionsPage, ConnectionsPageOptions } from '../../src/index';
import { storageKeys } from '../../src/registry/keys';
import { type RecordingConnection, TestCluster, type TestInstance } from './support';

/** A memory cache that counts the storage reads made through it and how many record reads overlap. */
class CountingCache extends MemoryCacheManager {
  recordReads = 0;
  indexReads = 0;
  private inFlight = 0;
  maxRecordReadsInFlight = 0;

  constructor(store: MemoryStore) {
    super({ store });
  }

  reset(): void {
    this.recordReads = 0;
    this.indexReads = 0;
    this.maxRecordReadsInFlight = 0;
  }

  override async get<T extends CacheValue = CacheValue>(key: string): Promise<T | undefined> {
    if (!key.startsWith('ws:conn:')) return super.get<T>(key);
    this.recordReads += 1;
    this.inFlight += 1;
    this.maxRecordReadsInFlight = Math.max(this.maxRecordReadsInFlight, this.inFlight);
    try {
      // A real round trip: every read issued in the same burst is in flight together.
      await new Promise((resolve) => setImmediate(resolve));
      return await super.get<T>(key);
    } finally {
      this.inFlight -= 1;
    }
  }

  override async setMembers(key: string): Promise<string[]> {
    if (key.startsWith('ws:instance-conns:')) this.indexReads += 1;
    return super.setMembers(key);
  }
}

/** Every page from the first to the last, as `getConnectionsPage` users walk them. */
async function walk(instance: TestInstance, limit: number): Promise<ConnectionsPage[]> {
  const pages: ConnectionsPage[] = [];
  let cursor: string | null = null;
  do {
    const page: ConnectionsPage = await instance.app.getConnectionsPage({ cursor, limit });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return pages;
}

const ids = (infos: readonly ConnectionInfo[]): string[] => infos.map((info) => info.id);

describe('getConnectionsPage', () => {
  let cluster: TestCluster;
  let a: TestInstance;
  let b: TestInstance;
  let reader: TestInstance;
  let readerCache: CountingCache;

  beforeEach(async () => {
    cluster = new TestCluster();
    a = await cluster.start();
    b = await cluster.start();
    readerCache = new CountingCache(cluster.store);
    reader = await cluster.start({}, readerCache);
  });

  afterEach(() => cluster.stop());

  it('walks every connection of the cluster exactly once, in pages of `limit`', async () => {
    const connections = [
      ...(await Promise.all(Array.from({ length: 4 }, () => a.connect()))),
      ...(await Promise.all(Array.from({ length: 5 }, () => b.connect()))),
      await reader.connect(),
    ];

    const pages = await walk(reader, 3);

    expect(pages.map((page) => page.connections.length)).toEqual([3, 3, 3, 1]);
    const listed = pages.flatMap((page) => page.connections);
    expect(ids(listed).sort()).toEqual(ids(await reader.app.getAllConnections()).sort());
    expect(new Set(ids(listed)).size).toBe(connections.length);
    // A stable order: by instance, then by connection id.
    const keys = listed.map((info) => `${info.serverInstanceId} ${info.id}`);
    expect(keys).toEqual([...keys].sort());
    expect(pages.at(-1)?.nextCursor).toBeNull();
  });

  it('gives the whole cluster in one page within the default limit, with no next cursor', async () => {
    const connections = [await a.connect(), await b.connect()];
    await reader.app.joinRoom(connections[1]!.id, 'room');
    const page = await reader.app.getConnectionsPage();
    expect(ids(page.connections).sort()).toEqual(connections.map((connection) => connection.id).sort());
    expect(page.nextCursor).toBeNull();
    const onB = page.connections.find((info) => info.id === connections[1]!.id);
    expect(onB?.serverInstanceId).toBe(b.app.serverInstanceId);
    expect(onB?.rooms).toEqual(new Set(['room']));
    expect(onB?.metadata).toEqual({ userAgent: 'jest', remoteAddress: '127.0.0.1' });
  });

  it('answers an empty page for a cluster without connections', async () => {
    expect(await reader.app.getConnectionsPage({ limit: 10 })).toEqual({ connections: [], nextCursor: null });
  });

  it('reads the records of the page only, all in one concurrent burst, from one index', async () => {
    await Promise.all(Array.from({ length: 20 }, () => a.connect()));
    await Promise.all(Array.from({ length: 20 }, () => b.connect()));
    const first = a.app.serverInstanceId < b.app.serverInstanceId ? a : b;
    readerCache.reset();

    const page = await reader.app.getConnectionsPage({ limit: 7 });

    expect(page.connections.map((info) => info.serverInstanceId)).toEqual(
      Array(7).fill(first.app.serverInstanceId),
    );
    expect(readerCache.recordReads).toBe(7);
    expect(readerCache.maxRecordReadsInFlight).toBe(7);
    expect(readerCache.indexReads).toBe(1);
  });

  it("lists the instance's own connections from memory, without storage reads", async () => {
    const own = await Promise.all(Array.from({ length: 3 }, () => reader.connect()));
    await reader.app.updateConnectionMetadata(own[0]!.id, { name: 'ada' });
    readerCache.reset();

    const page = await reader.app.getConnectionsPage();

    expect(ids(page.connections)).toEqual(own.map((connection) => connection.id).sort());
    expect(page.connections.find((info) => info.id === own[0]!.id)?.metadata).toMatchObject({ name: 'ada' });
    expect(readerCache.recordReads).toBe(0);
    expect(readerCache.indexReads).toBe(0);
  });

  it('skips index entries whose connection is gone and tops the page up', async () => {
    const onB = new Map<string, RecordingConnection>();
    for (const id of ['b1', 'b2', 'b3', 'b4', 'b5']) onB.set(id, await b.connect(id));
    // What an index holds for a moment when a connection closes between the index read and the record read.
    await readerCache.setAdd(storageKeys.instanceConnections(b.app.serverInstanceId), 'b0', 'b25');

    const first = await reader.app.getConnectionsPage({ limit: 3 });
    expect(ids(first.connections)).toEqual(['b1', 'b2', 'b3']);

    // A connection that closes between two pages is not in the later ones.
    await b.close(onB.get('b4')!);
    const second = await reader.app.getConnectionsPage({ cursor: first.nextCursor, limit: 3 });
    expect(ids(second.connections)).toEqual(['b5']);
    expect(second.nextCursor).toBeNull();
  });

  it('rejects a cursor it did not return and a limit that is not a positive integer', async () => {
    const bad: ConnectionsPageOptions[] = [{ cursor: 'not-a-cursor' }, { cursor: '' }];
    for (const options of bad) {
      await expect(reader.app.getConnectionsPage(options)).rejects.toThrow(
        /cursor is not one getConnectionsPage returned/,
      );
    }
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await expect(reader.app.getConnectionsPage({ limit })).rejects.toBeInstanceOf(RangeError);
    }
  });
});
