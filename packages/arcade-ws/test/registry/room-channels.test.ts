import type { Unsubscribe } from '@arcade/cache';
import { MemoryCacheManager } from '@arcade/cache-memory';
import { deferred } from '@arcade/test-support';
import { channelNames } from '../../src/registry/keys';
import { RoomChannels } from '../../src/registry/room-channels';
import { TestCluster } from './support';

// Room channel subscriptions (guarantees 2, 6 and 7 of docs/design.md): an instance listens to a room's
// channel exactly while it holds local members there, a join resolves only once that subscription is
// live, and a subscription that failed (an outage) is tried again by the next join.

/** The rooms `subscribe` was asked for, and how many of its subscriptions ended. */
function recordingSubscribe(): {
  subscribed: string[];
  unsubscribed: string[];
  subscribe: (room: string) => Promise<Unsubscribe>;
} {
  const subscribed: string[] = [];
  const unsubscribed: string[] = [];
  return {
    subscribed,
    unsubscribed,
    subscribe: async (room) => {
      subscribed.push(room);
      return async () => {
        unsubscribed.push(room);
      };
    },
  };
}

const noError = (room: string, error: unknown) => {
  throw new Error(`unexpected unsubscribe error for ${room}: ${String(error)}`);
};

describe('RoomChannels', () => {
  it('resolves acquire only once the subscription is live', async () => {
    const live = deferred<Unsubscribe>();
    const channels = new RoomChannels(() => live.promise, noError);
    let acquired = false;
    const acquiring = channels.acquire('room').then(() => {
      acquired = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(acquired).toBe(false);
    live.resolve(async () => {});
    await acquiring;
    expect(acquired).toBe(true);
  });

  it('takes further holds on a live subscription without subscribing again, and ends it with the last one', async () => {
    const recording = recordingSubscribe();
    const channels = new RoomChannels(recording.subscribe, noError);
    await channels.acquire('room');
    await channels.acquire('room');
    await Promise.all([channels.acquire('room'), channels.acquire('other')]);
    expect(recording.subscribed).toEqual(['room', 'other']);
    channels.release('room');
    channels.release('room');
    await new Promise((resolve) => setImmediate(resolve));
    expect(recording.unsubscribed).toEqual([]);
    channels.release('room');
    await new Promise((resolve) => setImmediate(resolve));
    expect(recording.unsubscribed).toEqual(['room']);
    expect(channels.rooms).toEqual(['other']);
  });

  it('gives back the holds of every acquire that waited on a subscription that failed', async () => {
    let fail: (error: Error) => void = () => undefined;
    const failing = new Promise<Unsubscribe>((_, reject) => {
      fail = reject;
    });
    const recording = recordingSubscribe();
    let first = true;
    const channels = new RoomChannels((room) => {
      if (!first) return recording.subscribe(room);
      first = false;
      return failing;
    }, noError);
    const waiting = [channels.acquire('room'), channels.acquire('room')];
    fail(new Error('storage unavailable (test)'));
    for (const acquire of waiting) await expect(acquire).rejects.toThrow('storage unavailable (test)');
    expect(channels.rooms).toEqual([]);
    await channels.acquire('room');
    channels.release('room');
    await new Promise((resolve) => setImmediate(resolve));
    expect(recording.unsubscribed).toEqual(['room']);
  });

  it('rejects acquire when the subscription fails, holds nothing, and subscribes again on the next acquire', async () => {
    const recording = recordingSubscribe();
    let failures = 1;
    const channels = new RoomChannels((room) => {
      if (failures-- > 0) return Promise.reject(new Error('storage unavailable (test)'));
      return recording.subscribe(room);
    }, noError);
    await expect(channels.acquire('room')).rejects.toThrow('storage unavailable (test)');
    await channels.acquire('room');
    expect(recording.subscribed).toEqual(['room']);
    channels.release('room');
    await new Promise((resolve) => setImmediate(resolve));
    expect(recording.unsubscribed).toEqual(['room']);
  });
});

describe('room channels of an instance', () => {
  let cluster: TestCluster;

  beforeEach(() => {
    cluster = new TestCluster();
  });

  afterEach(() => cluster.stop());

  /** How many subscriptions the shared store has on a room's channel. */
  function subscriptions(room: string): number {
    return cluster.store.channels.get(channelNames.room(room))?.size ?? 0;
  }

  it('share one subscription between the local members of a room, ended when the last one leaves', async () => {
    const instance = await cluster.start();
    const [first, second] = [await instance.connect(), await instance.connect()];
    await instance.app.joinRoom(first.id, 'room');
    await instance.app.joinRoom(second.id, 'room');
    expect(subscriptions('room')).toBe(1);
    await instance.app.leaveRoom(first.id, 'room');
    expect(subscriptions('room')).toBe(1);
    await instance.app.leaveRoom(second.id, 'room');
    expect(subscriptions('room')).toBe(0);
  });

  it('end when the instance leaves a storage it does not dispose (disposeCache: false)', async () => {
    const cache = new MemoryCacheManager({ store: cluster.store });
    const instance = await cluster.start({ disposeCache: false }, cache);
    const connection = await instance.connect();
    await instance.app.joinRoom(connection.id, 'room');
    expect(subscriptions('room')).toBe(1);
    await instance.app.disposeWebSocketStorage();
    expect(cache.status).toBe('ready');
    expect(subscriptions('room')).toBe(0);
    await cache.dispose();
  });
});
