import type { CacheManager, CacheStatus, MessageListener, Unsubscribe } from '@arcade/cache';
import { MemoryCacheManager, type MemoryCacheManagerOptions, type MemoryStore } from '../../src';

/**
 * What an adapter does about its subscriptions when its server restarts: `restores` them, as the
 * contract asks; `forgets` them; `resurrects` the ended ones too; or restores them `silently`, never
 * reporting that the connection was lost.
 */
export type ReconnectBehaviour = 'restores' | 'forgets' | 'resurrects' | 'silently';

/**
 * A server adapters connect to, simulated on a memory store: `restart()` empties it and drops every
 * subscription, and each adapter reconnects as `behaviour` says. For proving that the conformance
 * suite's `restart` option catches an adapter whose subscriptions do not come back.
 */
export class SimulatedServer {
  private readonly adapters = new Set<ReconnectingAdapter>();
  private store: MemoryStore | undefined;

  constructor(private readonly behaviour: ReconnectBehaviour) {}

  /** A new adapter on `store`, not initialized. */
  adapter(store: MemoryStore, options: MemoryCacheManagerOptions): CacheManager {
    this.store = store;
    const adapter = new ReconnectingAdapter({ ...options, store }, this.behaviour);
    this.adapters.add(adapter);
    return adapter;
  }

  /** Empties the store and makes every adapter reconnect, one after the other. */
  async restart(): Promise<void> {
    this.store?.entries.clear();
    for (const adapter of this.adapters) await adapter.reconnect();
  }
}

interface Subscription {
  readonly channel: string;
  readonly listener: MessageListener;
  end: Unsubscribe;
  ended: boolean;
}

/** A `MemoryCacheManager` whose subscriptions a restart drops, and whose status shows the reconnect. */
class ReconnectingAdapter extends MemoryCacheManager {
  private reconnecting = false;
  private readonly notified = new Set<(status: CacheStatus) => void>();
  private readonly tracked = new Set<Subscription>();

  constructor(
    options: MemoryCacheManagerOptions,
    private readonly behaviour: ReconnectBehaviour,
  ) {
    super(options);
  }

  override get status(): CacheStatus {
    return this.reconnecting ? 'reconnecting' : super.status;
  }

  override onStatusChange(listener: (status: CacheStatus) => void): () => void {
    const stop = super.onStatusChange(listener);
    this.notified.add(listener);
    return () => {
      stop();
      this.notified.delete(listener);
    };
  }

  override async subscribe(channel: string, listener: MessageListener): Promise<Unsubscribe> {
    const subscription: Subscription = {
      channel,
      listener,
      end: await super.subscribe(channel, listener),
      ended: false,
    };
    this.tracked.add(subscription);
    return async () => {
      subscription.ended = true;
      await subscription.end();
    };
  }

  /** The server forgot every subscription: subscribe again as {@link ReconnectBehaviour} says. */
  async reconnect(): Promise<void> {
    if (this.status !== 'ready') return;
    const silent = this.behaviour === 'silently';
    if (!silent) this.report(true);
    for (const subscription of this.tracked) await subscription.end();
    for (const subscription of this.tracked) {
      if (this.behaviour === 'forgets' || (subscription.ended && this.behaviour !== 'resurrects')) continue;
      subscription.end = await super.subscribe(subscription.channel, subscription.listener);
    }
    if (!silent) this.report(false);
  }

  private report(reconnecting: boolean): void {
    this.reconnecting = reconnecting;
    for (const listener of [...this.notified]) listener(this.status);
  }
}
