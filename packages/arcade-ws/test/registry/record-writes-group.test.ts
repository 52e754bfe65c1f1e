import type { BatchOperation } from '@arcade/cache';
import { MemoryCacheManager } from '@arcade/cache-memory';
import { storageKeys } from '../../src/registry/keys';
import { TestCluster, type TestInstance } from './support';

/** A memory adapter whose batches wait until the test lets them through, and are counted. */
class GatedCache extends MemoryCacheManager {
  readonly batches: number[] = [];
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  close(): void {
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
    return super.batch(operations);
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('connection writes while a batch is in flight', () => {
  let cluster: TestCluster;
  let cache: GatedCache;
  let instance: TestInstance;

  beforeEach(async () => {
    cluster = new TestCluster();
    cache = new GatedCache({ store: cluster.store });
    instance = await cluster.start({}, cache);
    cache.batches.length = 0;
  });

  afterEach(() => cluster.stop());

  it('holds the writes of later turns until the batch in flight settles, then sends them as one', async () => {
    cache.close();
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
    const keys = cluster.keys();
    expect(['a', 'b', 'c'].every((id) => keys.includes(storageKeys.connection(id)))).toBe(true);
  });
});
