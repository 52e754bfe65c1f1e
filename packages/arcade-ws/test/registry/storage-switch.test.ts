import type { MessageListener, Unsubscribe } from '@arcade/cache';
import { MemoryCacheManager, type MemoryStore } from '@arcade/cache-memory';
import { channelNames } from '../../src/registry/keys';
import { TestCluster } from './support';

/** A memory cache whose room-channel subscriptions wait until `open()` is called. */
class GatedRoomSubscriptions extends MemoryCacheManager {
  private readonly gate: Promise<void>;
  open: () => void = () => undefined;
  readonly waiting: Promise<void>;
  private reached: () => void = () => undefined;

  constructor(store: MemoryStore) {
    super({ store });
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
    this.waiting = new Promise((resolve) => {
      this.reached = resolve;
    });
  }

  override async subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    // Room channels end with the room name inside their hash tag (src/registry/keys.ts).
    if (channel.startsWith(channelNames.room('').slice(0, -1))) {
      this.reached();
      await this.gate;
    }
    return super.subscribe(channel, listener);
  }
}

describe('moving to another storage under live connections', () => {
  const clusters: TestCluster[] = [];

  afterEach(async () => {
    await Promise.all(clusters.splice(0).map((cluster) => cluster.stop()));
  });

  it('a connection that closes while the new storage subscribes its rooms leaves no subscription behind', async () => {
    const before = new TestCluster();
    const after = new TestCluster();
    clusters.push(before, after);
    const instance = await before.start();
    const leaving = await instance.connect();
    await instance.app.joinRoom(leaving.id, 'lobby');

    const next = new GatedRoomSubscriptions(after.store);
    const switched = instance.app.initializeWebSocketStorage(next);
    await next.waiting;
    // Closes while the subscription is pending (its storage clean-up waits for the switch).
    const closing = instance.close(leaving);
    next.open();
    await Promise.all([switched, closing]);

    await new Promise((resolve) => setImmediate(resolve));
    expect(after.subscribedChannels()).not.toContain(channelNames.room('lobby'));
    expect(await instance.app.getRoomMembers('lobby')).toEqual([]);
    await instance.manager.shutdown();
  });
});
