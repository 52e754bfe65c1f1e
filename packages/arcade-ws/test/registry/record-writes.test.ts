import { type BatchOperation, CacheError } from '@arcade/cache';
import { MemoryCacheManager } from '@arcade/cache-memory';
import { storageKeys } from '../../src/registry/keys';
import { TestCluster, type TestInstance } from './support';

// How connection state reaches a shared storage (src/registry/record-writer.ts): the registrations and
// joins of one event-loop turn go as one batch (one Redis script run for a burst of connects, not one
// per connection), capped in size, later turns wait for a batch in flight and leave together (a group
// commit), and a write that cannot be combined still fails alone.

/**
 * A memory adapter that records the size of every batch, can fail the batches it is told to, and can
 * hold every batch until `release()`.
 */
class CountingCache extends MemoryCacheManager {
  readonly batches: number[] = [];
  failWhen: ((operations: readonly BatchOperation[]) => CacheError | undefined) | undefined;
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open();
  }

  override async batch(operations: readonly BatchOperation[]): Promise<void> {
    this.batches.push(operations.length);
    await this.gate;
    const error = this.failWhen?.(operations);
    if (error) throw error;
    return super.batch(operations);
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('connection writes to a shared storage', () => {
  let cluster: TestCluster;
  let cache: CountingCache;
  let instance: TestInstance;

  beforeEach(async () => {
    cluster = new TestCluster();
    cache = new CountingCache({ store: cluster.store });
    instance = await cluster.start({}, cache);
    cache.batches.length = 0;
  });

  afterEach(() => cluster.stop());

  const connectAll = (ids: readonly string[]) => Promise.all(ids.map((id) => instance.connect(id)));
  const stored = (id: string) => cluster.keys().includes(storageKeys.connection(id));

  it('sends the registrations of one turn as one batch, each connection stored', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    await connectAll(ids);
    // Two operations per registration: the instance's index and the record.
    expect(cache.batches).toEqual([40]);
    expect(ids.every(stored)).toBe(true);
  });

  it('sends the joins of one turn as one batch, and each join resolves once stored', async () => {
    await connectAll(['a', 'b', 'c']);
    cache.batches.length = 0;
    const joined = await Promise.all(['a', 'b', 'c'].map((id) => instance.app.joinRoom(id, 'lobby')));
    expect(joined).toEqual([true, true, true]);
    expect(cache.batches).toEqual([6]);
    expect((await instance.app.getRoomMembers('lobby')).sort()).toEqual(['a', 'b', 'c']);
  });

  it('splits a turn of many writes into batches of at most 256 operations', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `c${i}`);
    await connectAll(ids);
    expect(cache.batches.length).toBe(2);
    expect(Math.max(...cache.batches)).toBeLessThanOrEqual(256);
    expect(cache.batches.reduce((a, b) => a + b, 0)).toBe(400);
    expect(ids.every(stored)).toBe(true);
  });

  it('tries each write of a failed combined batch alone, so that only the bad one fails', async () => {
    const badKey = storageKeys.connection('bad');
    cache.failWhen = (operations) =>
      operations.some((operation) => operation.key === badKey)
        ? new CacheError('WRONG_TYPE', 'refused for the test')
        : undefined;
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((id) => instance.connect(id)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'WRONG_TYPE' });
    // The combined batch, then each write alone.
    expect(cache.batches).toEqual([6, 2, 2, 2]);
    expect([stored('a'), stored('bad'), stored('c')]).toEqual([true, false, true]);
  });

  it('does not try the writes again one by one when the storage is unavailable', async () => {
    cache.failWhen = () => new CacheError('UNAVAILABLE', 'down for the test');
    // During an outage a new connection works locally and is written on recovery: no rejection here.
    await connectAll(['a', 'b', 'c']);
    expect(cache.batches).toEqual([6]);
    expect(instance.app.localConnectionIds).toEqual(['a', 'b', 'c']);
  });

  it('sends the clean-up of each closed connection at once, not at the end of the turn', async () => {
    const connections = await connectAll(['a', 'b', 'c']);
    cache.batches.length = 0;
    await Promise.all(connections.map((connection) => instance.close(connection)));
    // No room: the record and the index entry.
    expect(cache.batches).toEqual([2, 2, 2]);
    expect(['a', 'b', 'c'].some(stored)).toBe(false);
  });

  it('holds the writes of later turns until the batch in flight settles, then sends them as one', async () => {
    cache.hold();
    const first = instance.connect('a');
    await nextTurn();
    await nextTurn();
    expect(cache.batches).toEqual([2]);
    const later = [instance.connect('b')];
    await nextTurn();
    later.push(instance.connect('c'));
    await nextTurn();
    await nextTurn();
    // b and c came in two turns, while a's batch was held: nothing more was sent.
    expect(cache.batches).toEqual([2]);
    cache.release();
    await Promise.all([first, ...later]);
    expect(cache.batches).toEqual([2, 4]);
    expect(['a', 'b', 'c'].every((id) => stored(id))).toBe(true);
  });

  it('sends the writes that waited once the batch in flight failed, and they are stored', async () => {
    cache.hold();
    cache.failWhen = (operations) =>
      operations.some((operation) => operation.key === storageKeys.connection('a'))
        ? new CacheError('UNAVAILABLE', 'down for the test')
        : undefined;
    const first = instance.connect('a');
    await nextTurn();
    await nextTurn();
    const later = instance.connect('b');
    await nextTurn();
    cache.release();
    await Promise.all([first, later]);
    expect(cache.batches).toEqual([2, 2]);
    expect(stored('b')).toBe(true);
  });
});
