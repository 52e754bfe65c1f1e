import type { Unsubscribe } from '@arcade/cache';

interface Subscription {
  holders: number;
  readonly live: Promise<Unsubscribe>;
  /** Set once `live` has resolved: later holds need not wait for it. */
  isLive: boolean;
}

/** What a hold on a live subscription resolves: one promise shared by all of them. */
const LIVE: Promise<void> = Promise.resolve();

/**
 * Reference-counted room channel subscriptions: an instance listens to a room's channel exactly while
 * it holds local members of the room (or a join of one is in progress), so an instance with no member
 * receives nothing for that room.
 */
export class RoomChannels {
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(
    private readonly subscribe: (room: string) => Promise<Unsubscribe>,
    private readonly onUnsubscribeError: (room: string, error: unknown) => void,
  ) {}

  /**
   * Takes one hold on the room's channel; resolves once the subscription is live (at once, with no
   * promise of its own, when it already is: joins to a room with local members cost no round trip).
   */
  acquire(room: string): Promise<void> {
    let subscription = this.subscriptions.get(room);
    if (!subscription) {
      const created: Subscription = { holders: 0, live: this.subscribe(room), isLive: false };
      created.live.then(
        () => {
          created.isLive = true;
        },
        () => {
          if (this.subscriptions.get(room) === created) this.subscriptions.delete(room);
        },
      );
      this.subscriptions.set(room, created);
      subscription = created;
    }
    subscription.holders += 1;
    if (subscription.isLive) return LIVE;
    const held = subscription;
    return held.live.then(
      () => undefined,
      (error: unknown) => {
        held.holders -= 1;
        throw error;
      },
    );
  }

  /** Gives one hold back; the last one unsubscribes. */
  release(room: string): void {
    const subscription = this.subscriptions.get(room);
    if (!subscription) return;
    subscription.holders -= 1;
    if (subscription.holders > 0) return;
    this.subscriptions.delete(room);
    subscription.live
      .then((unsubscribe) => unsubscribe())
      .catch((error) => this.onUnsubscribeError(room, error));
  }

  /** Rooms whose channel is subscribed (or being subscribed). */
  get rooms(): string[] {
    return [...this.subscriptions.keys()];
  }

  /** Ends every subscription. */
  async close(): Promise<void> {
    const subscriptions = [...this.subscriptions.entries()];
    this.subscriptions.clear();
    await Promise.all(
      subscriptions.map(([room, subscription]) =>
        subscription.live
          .then((unsubscribe) => unsubscribe())
          .catch((error) => this.onUnsubscribeError(room, error)),
      ),
    );
  }
}
