import type { CacheManager } from '@arcade/cache';
import { describeError, type Logger } from '@arcade/core';
import { positiveInteger } from '../internal/checks';
import { type ClusterInbox, ClusterNode } from './cluster-node';
import { rejoin } from './instance-lease';
import type { LocalRegistry } from './local-registry';
import { Maintenance } from './maintenance';
import { DEFAULT_INSTANCE_LEASE_MS, type WebSocketStorageOptions } from './options';
import type { RecordWriter } from './record-writer';

/** What {@link StorageSlot.active} answers with no storage started. */
const NO_NODE: Promise<undefined> = Promise.resolve(undefined);

/** A shared storage in use: the node in it, the loop that keeps its lease, and who disposes the cache. */
interface SharedStorage {
  readonly node: ClusterNode;
  readonly maintenance: Maintenance;
  readonly disposeCache: boolean;
}

/**
 * The app's one storage slot: which storage the registry uses, its lease settings, and the life of the
 * node in it (start, switch, stop). Without a cache of the app's own, the slot holds the private
 * in-memory store: no node at all, so nothing is subscribed, written or timed, and the registry
 * answers from memory (no other instance can see a private store).
 */
export class StorageSlot {
  private cache: CacheManager | undefined;
  private disposeCache = true;
  private storageLeaseMs: number | undefined;
  private configuredLeaseMs: number | undefined;
  /** The storage being started or in use; resolves `undefined` for the private store. */
  private starting: Promise<SharedStorage | undefined> | undefined;
  /** Its node, derived once per start: every emit awaits it, so it must cost no new promise per call. */
  private startingNode: Promise<ClusterNode | undefined> | undefined;
  /** The same, but `undefined` when the start failed: what {@link active} answers, once per start too. */
  private activeNode: Promise<ClusterNode | undefined> | undefined;
  private shared: SharedStorage | undefined;
  private privateStore = false;

  constructor(
    private readonly instanceId: string,
    private readonly inbox: ClusterInbox,
    private readonly local: LocalRegistry,
    private readonly writer: RecordWriter,
    private readonly logger: () => Logger,
  ) {}

  /** The node in use now; `undefined` with the private store, or while a storage is being started. */
  get node(): ClusterNode | undefined {
    return this.shared?.node;
  }

  /** True once the private store is in use: nothing is shared, everything is answered from memory. */
  get isPrivate(): boolean {
    return this.privateStore;
  }

  /** The node to use, starting the private store first when the app chose none; `undefined` for it. */
  current(): Promise<ClusterNode | undefined> {
    if (!this.starting || !this.startingNode) this.begin(this.start(this.cache));
    return this.startingNode as Promise<ClusterNode | undefined>;
  }

  /**
   * The node in use or being started, without starting one; `undefined` when there is none or its
   * start failed. Every close asks: no new promise per call.
   */
  active(): Promise<ClusterNode | undefined> {
    return this.activeNode ?? NO_NODE;
  }

  /** The lease of `runServer({ webSocket: { instanceLeaseMs } })`, unless the storage set its own. */
  configureLease(leaseMs: number): void {
    this.configuredLeaseMs = positiveInteger('instanceLeaseMs', leaseMs);
    this.shared?.maintenance.setLeaseMs(this.leaseMs());
  }

  /**
   * Switches to `cache` (the private store when omitted), leaving the previous storage first.
   * Resolves once the live connections, if any, are written to the new one too.
   */
  async use(cache: CacheManager | undefined, options: WebSocketStorageOptions = {}): Promise<void> {
    const leaseMs =
      options.instanceLeaseMs === undefined
        ? undefined
        : positiveInteger('instanceLeaseMs', options.instanceLeaseMs);
    const previous = this.starting;
    this.cache = cache;
    this.disposeCache = options.disposeCache ?? true;
    this.storageLeaseMs = leaseMs;
    this.shared = undefined;
    this.privateStore = false;
    const starting = this.begin(
      (async () => {
        // Using the same cache again must not dispose it on the way.
        if (previous) await this.leave(previous, cache);
        return this.start(cache);
      })(),
    );
    const shared = await starting;
    if (shared) await this.writer.resynced(shared.node);
  }

  /** Leaves the storage (removes this instance's keys) and disposes it as chosen. A no-op without one. */
  async dispose(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    this.startingNode = undefined;
    this.activeNode = undefined;
    this.shared = undefined;
    this.privateStore = false;
    this.cache = undefined;
    this.disposeCache = true;
    this.storageLeaseMs = undefined;
    if (starting) await this.leave(starting);
  }

  /** Makes `starting` the storage in use; a start that fails is forgotten, so that the next call tries again. */
  private begin(starting: Promise<SharedStorage | undefined>): Promise<SharedStorage | undefined> {
    this.starting = starting;
    const node = starting.then((shared) => shared?.node);
    this.startingNode = node;
    const active = starting.then(
      (shared) => shared?.node,
      () => undefined,
    );
    this.activeNode = active;
    starting.catch(() => {
      if (this.starting !== starting) return;
      this.starting = undefined;
      this.startingNode = undefined;
      this.activeNode = undefined;
    });
    // Handled here: whoever asked for this start awaits it and gets the failure.
    node.catch(() => undefined);
    return starting;
  }

  private leaseMs(): number {
    return this.storageLeaseMs ?? this.configuredLeaseMs ?? DEFAULT_INSTANCE_LEASE_MS;
  }

  private async start(cache: CacheManager | undefined): Promise<SharedStorage | undefined> {
    if (!cache) {
      this.privateStore = true;
      return undefined;
    }
    const leaseMs = this.leaseMs();
    const node = new ClusterNode(cache, this.instanceId, this.inbox, this.logger);
    try {
      await node.start();
      await rejoin(node, leaseMs);
    } catch (error) {
      await node.stop([], { disposeCache: false });
      throw error;
    }
    const shared: SharedStorage = {
      node,
      maintenance: new Maintenance(node, this.writer, leaseMs, this.logger),
      disposeCache: this.disposeCache,
    };
    if (this.local.size > 0 || this.writer.hasPendingRemovals) await this.adopt(shared);
    this.shared = shared;
    return shared;
  }

  /** The storage changed under live connections: subscribe their rooms there, then write them there. */
  private async adopt(shared: SharedStorage): Promise<void> {
    // acquire() counts each hold at once; the node is current from that moment, so a connection that
    // closes while the subscriptions complete gives its holds back to this node.
    const subscribed = Promise.all(
      this.local
        .roomSizes()
        .flatMap(([room, members]) => Array.from({ length: members }, () => room))
        .map((room) => shared.node.roomChannels.acquire(room)),
    );
    this.shared = shared;
    try {
      await subscribed;
    } catch (error) {
      if (this.shared === shared) this.shared = undefined;
      await shared.maintenance.stop();
      await shared.node.stop([], { disposeCache: false });
      throw error;
    }
    // Not awaited here: the rewrite goes through the per-connection queue, whose tasks may be waiting
    // for this very start.
    shared.maintenance.resync().catch((error) =>
      this.logger().warn('Could not write live WebSocket connections to the new storage; retrying', {
        ...describeError(error),
      }),
    );
  }

  private async leave(starting: Promise<SharedStorage | undefined>, keptCache?: CacheManager): Promise<void> {
    const shared = await starting.catch(() => undefined);
    if (!shared) return;
    await shared.maintenance.stop();
    const cleanup = this.writer.takeCleanup();
    await shared.node.stop(cleanup, { disposeCache: shared.disposeCache && shared.node.cache !== keptCache });
  }
}
