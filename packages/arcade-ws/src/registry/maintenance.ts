import type { CacheStatus } from '@arcade/cache';
import { describeError, type Logger } from '@arcade/core';
import { StorageUnavailableError } from '../errors';
import type { ClusterNode } from './cluster-node';
import { reapDeadInstances, registeredInstances, renewLease } from './instance-lease';
import type { RecordWriter } from './record-writer';

/**
 * Keeps one node's place in its storage, on a timer: renews the lease three times per lease, has the
 * record writer write this instance's state back when it was lost there (the lease lapsed during an
 * outage or a freeze, Redis restarted empty, survivors cleaned it up), retries the writes that failed,
 * and reaps dead instances. It also turns the cache's status into the outage log and, once the cache
 * is reachable again, a resync (guarantee 6 in docs/design.md). Calls flow one way: this loop calls
 * the node and the writer; neither calls back.
 */
export class Maintenance {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private outage = false;
  private readonly stopStatusListener: () => void;

  constructor(
    private readonly node: ClusterNode,
    private readonly writer: RecordWriter,
    private leaseMs: number,
    private readonly logger: () => Logger,
  ) {
    this.stopStatusListener = node.cache.onStatusChange((status) => this.onStatusChange(status));
    this.schedule();
  }

  /** Changes the lease duration: the next renewal uses it. */
  setLeaseMs(leaseMs: number): void {
    if (leaseMs === this.leaseMs) return;
    this.leaseMs = leaseMs;
    this.schedule();
  }

  /** Writes this instance's whole state to the storage again (a storage switch under live connections). */
  resync(): Promise<void> {
    return this.writer.resync(this.node, this.leaseMs);
  }

  /** Stops the timer and waits for a round in progress, so that the node can leave the storage cleanly. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopStatusListener();
    await this.running;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    // Three renewals per lease: a renewal can fail (or be late) twice before the lease lapses.
    this.timer = setTimeout(
      () => {
        this.running = this.tick().finally(() => {
          this.running = undefined;
          this.schedule();
        });
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const lapsed = await renewLease(this.node, this.leaseMs);
      const instances = await registeredInstances(this.node);
      if (lapsed || !instances.includes(this.node.instanceId)) {
        // Our lease expired (an outage, a restarted empty Redis) or a survivor cleaned us up: write it all back.
        await this.resync();
      } else {
        await this.writer.retryPending(this.node);
      }
      if (this.stopped) return;
      const others = instances.filter((id) => id !== this.node.instanceId);
      for (const { instanceId, connections } of await reapDeadInstances(this.node, others, this.leaseMs)) {
        this.logger().info('Removed the connections of a dead WebSocket instance', {
          serverInstanceId: instanceId,
          connections,
        });
      }
    } catch (error) {
      if (!(error instanceof StorageUnavailableError)) {
        this.logger().warn('WebSocket storage maintenance failed', describeError(error));
      }
    }
  }

  private onStatusChange(status: CacheStatus): void {
    if (status === 'ready') {
      if (!this.outage) return;
      this.outage = false;
      this.logger().info('WebSocket storage is reachable again; restoring state');
      this.resync().catch((error) =>
        this.logger().warn(
          'Could not restore WebSocket storage state; retrying with the next lease renewal',
          {
            ...describeError(error),
          },
        ),
      );
    } else if (status !== 'disposed' && status !== 'idle') {
      if (!this.outage)
        this.logger().warn('WebSocket storage is unreachable; local delivery goes on', { status });
      this.outage = true;
    }
  }
}
