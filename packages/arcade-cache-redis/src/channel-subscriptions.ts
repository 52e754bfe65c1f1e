import type { MessageListener } from '@arcade/cache';
import { copyMessage, decodeMessage } from './codec';
import type { RedisClient } from './connections';
import type { RedisCacheLogger } from './options';

/** One `subscribe()` call: its own object, so the same function subscribed twice is two subscriptions. */
export interface Subscription {
  readonly channel: string;
  readonly listener: MessageListener;
}

/**
 * The listeners of one adapter by (prefixed) channel, and the channels Redis has confirmed on the
 * current subscriber connection. `reconcile()` makes Redis's set match the listeners' with at most
 * one SUBSCRIBE and one UNSUBSCRIBE; it also restores everything after a reconnect.
 */
export class ChannelSubscriptions {
  private readonly byChannel = new Map<string, Set<Subscription>>();
  /** Channels Redis confirmed on the current connection. */
  private readonly live = new Set<string>();
  /** Bumped when the connection is lost, so a reconcile that straddles it records nothing. */
  private generation = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  /**
   * `sharded`: the client is a Redis Cluster's, and channels are shard channels (SSUBSCRIBE): one
   * command per channel, since the channels of one command must share a slot.
   */
  constructor(
    private readonly prefix: string,
    private readonly logger: RedisCacheLogger,
    private readonly sharded = false,
  ) {}

  /** Registers a listener on a prefixed channel; messages reach it as soon as the channel is live. */
  add(channel: string, listener: MessageListener): Subscription {
    const subscription = { channel, listener };
    let set = this.byChannel.get(channel);
    if (!set) {
      set = new Set();
      this.byChannel.set(channel, set);
    }
    set.add(subscription);
    return subscription;
  }

  /** Unregisters a listener; from now on it receives nothing. */
  remove(subscription: Subscription): void {
    const set = this.byChannel.get(subscription.channel);
    if (!set) return;
    set.delete(subscription);
    if (set.size === 0) this.byChannel.delete(subscription.channel);
  }

  /** Whether Redis has confirmed `channel` on the current connection. */
  isLive(channel: string): boolean {
    return this.live.has(channel);
  }

  /** The subscriber connection closed: Redis forgot every subscription. */
  connectionLost(): void {
    this.generation += 1;
    this.live.clear();
  }

  /** Drops every listener and ignores every later message (dispose). */
  close(): void {
    this.closed = true;
    this.byChannel.clear();
    this.live.clear();
  }

  /**
   * Subscribes the channels that have listeners and are not live, and unsubscribes the live ones
   * that have none. Calls run one after the other; concurrent callers share the round trips.
   */
  reconcile(client: RedisClient): Promise<void> {
    const run = this.queue.then(async () => {
      const generation = this.generation;
      const missing = [...this.byChannel.keys()].filter((channel) => !this.live.has(channel));
      const unwanted = [...this.live].filter((channel) => !this.byChannel.has(channel));
      if (missing.length > 0) {
        await (this.sharded
          ? Promise.all(missing.map((channel) => client.ssubscribe(channel)))
          : client.subscribe(...missing));
        if (generation === this.generation) for (const channel of missing) this.live.add(channel);
      }
      if (unwanted.length > 0) {
        await (this.sharded
          ? Promise.all(unwanted.map((channel) => client.sunsubscribe(channel)))
          : client.unsubscribe(...unwanted));
        if (generation === this.generation) for (const channel of unwanted) this.live.delete(channel);
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Hands a message from Redis to the channel's listeners, each with its own copy of bytes (and of
   * the position, for a message appendToLog published: no other listener sees what one changes).
   */
  deliver(channelBytes: Buffer, frame: Buffer): void {
    if (this.closed) return;
    const channel = channelBytes.toString('utf8');
    const set = this.byChannel.get(channel);
    if (!set) return;
    const decoded = decodeMessage(frame);
    const name = channel.slice(this.prefix.length);
    if (!decoded) {
      this.logger.warn('dropped a message that was not published by @arcade/cache-redis', { channel: name });
      return;
    }
    for (const { listener } of set) {
      // A listener removed by an earlier one during this delivery is skipped by Set iteration.
      try {
        // A plain publish still calls the listener with two arguments, not with an undefined third.
        const { position } = decoded;
        if (position) listener(copyMessage(decoded), name, { ...position });
        else listener(copyMessage(decoded), name);
      } catch (error) {
        this.logger.warn('a message listener threw; the other listeners still ran', { channel: name, error });
      }
      if (this.closed) return;
    }
  }
}
