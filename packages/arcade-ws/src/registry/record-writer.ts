import type { BatchOperation, JsonValue } from '@arcade/cache';
import { describeError, type Logger } from '@arcade/core';
import { StorageUnavailableError } from '../errors';
import type { ClusterNode } from './cluster-node';
import { CombinedBatches } from './combined-batches';
import { rejoin } from './instance-lease';
import { KeyedQueue } from './keyed-queue';
import { storageKeys } from './keys';
import type { LocalEntry, LocalRegistry } from './local-registry';
import { recordOf, removeConnectionOperations, writeConnectionOperations } from './records';

/**
 * Writes the state of this instance's connections to the shared storage (record, instance index,
 * room sets), one task at a time per connection, and owns what an outage leaves behind: the
 * connections whose write failed, the rooms whose join failed, the closed connections whose clean-up
 * failed. `resync` and `retryPending` write those again once the storage answers. The node a write
 * goes to is always given by the caller: the writer never starts or picks a storage itself.
 */
export class RecordWriter {
  private readonly queue = new KeyedQueue();
  /** Local connections whose storage write failed (outage): written again on recovery. */
  private readonly pendingWrites = new Set<string>();
  /** Rooms whose join failed per local connection: removed from storage with the next write. */
  private readonly abandonedRooms = new Map<string, Set<string>>();
  /** Closed connections whose storage clean-up failed, with their rooms: cleaned on recovery. */
  private readonly pendingRemovals = new Map<string, readonly string[]>();
  private resyncing: { readonly node: ClusterNode; readonly done: Promise<void>; again: boolean } | undefined;
  /** Where every write goes: combined with the other connections' writes (combined-batches.ts). */
  private readonly batches = new CombinedBatches();

  constructor(
    private readonly local: LocalRegistry,
    private readonly instanceId: string,
    private readonly logger: () => Logger,
  ) {}

  /** Runs `task` after every task queued before it for connection `id`: one writer per record. */
  run<T>(id: string, task: () => Promise<T>): Promise<T> {
    return this.queue.run(id, task);
  }

  /** Whether a task is queued or running for connection `id`. */
  hasQueued(id: string): boolean {
    return this.queue.has(id);
  }

  /** Resolves once every queued task has settled. */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  /** Whether closed connections still wait for their storage clean-up. */
  get hasPendingRemovals(): boolean {
    return this.pendingRemovals.size > 0;
  }

  /** Writes a new connection; during an outage it is kept for a retry and logged, never thrown. */
  register(node: ClusterNode, entry: LocalEntry): Promise<void> {
    return this.run(entry.connection.id, () => this.writeEntry(node, entry));
  }

  /**
   * Removes a closed connection from the storage `node()` answers (none: nothing was written), after
   * any change queued before the close. A failure is kept and retried on recovery. Never rejects.
   */
  remove(entry: LocalEntry, node: () => Promise<ClusterNode | undefined>): Promise<void> {
    const id = entry.connection.id;
    return this.run(id, async () => {
      // Runs after every change queued before the close, so it sees every room the connection got into.
      const abandoned = this.abandonedRooms.get(id);
      const rooms = abandoned === undefined ? entry.rooms : [...new Set([...entry.rooms, ...abandoned])];
      this.abandonedRooms.delete(id);
      this.pendingWrites.delete(id);
      const target = await node();
      if (!target) return;
      try {
        // Sent at once, not at the end of the turn: the connection is already gone from memory (and from
        // getAllConnections), so its storage clean-up should follow as closely as before.
        await target.batch(
          'remove a closed connection',
          removeConnectionOperations(id, this.instanceId, rooms),
        );
      } catch (error) {
        this.pendingRemovals.set(id, rooms);
        this.logger().warn('Could not remove a closed WebSocket connection from storage; will retry', {
          connectionId: id,
          ...describeError(error),
        });
      }
    });
  }

  /**
   * Stores `entry` in `room`; on failure the join is undone in storage with the next write. The record
   * comes first: on a sharded storage the two are separate steps, and a room set must never name a
   * connection whose record does not list the room (the clean-up after a crash reads the record).
   */
  writeJoin(node: ClusterNode, entry: LocalEntry, room: string): Promise<void> {
    const id = entry.connection.id;
    return this.write(
      node,
      'join a room',
      id,
      [
        this.recordWrite(entry, entry.rooms.concat(room)),
        { type: 'setAdd', key: storageKeys.room(room), members: [id] },
      ],
      room,
    );
  }

  /** Removes `entry` from `room` in storage: the room set first, then the record (see writeJoin). */
  writeLeave(node: ClusterNode, entry: LocalEntry, room: string): Promise<void> {
    const id = entry.connection.id;
    const rooms = entry.rooms.filter((joined) => joined !== room);
    return this.write(node, 'leave a room', id, [
      { type: 'setRemove', key: storageKeys.room(room), members: [id] },
      this.recordWrite(entry, rooms),
    ]);
  }

  /** Stores `entry`'s record as it is now (its metadata changed). */
  writeRecord(node: ClusterNode, entry: LocalEntry): Promise<void> {
    return this.write(node, 'update metadata', entry.connection.id, [this.recordWrite(entry)]);
  }

  /**
   * Writes the lease, the registry entry and every local connection again, then the pending
   * clean-ups. Calls during a resync of the same node make it run once more when it ends.
   */
  resync(node: ClusterNode, leaseMs: number): Promise<void> {
    const current = this.resyncing;
    if (current?.node === node) {
      current.again = true;
      return current.done;
    }
    const previous = current?.done.catch(() => undefined);
    const state = { node, again: false, done: Promise.resolve() };
    state.done = (async () => {
      await previous;
      try {
        do {
          state.again = false;
          await rejoin(node, leaseMs);
          await this.rewriteAll(node);
          await this.retryPending(node);
        } while (state.again && !node.isStopping);
        this.logger().info('WebSocket storage state restored', { serverInstanceId: this.instanceId });
      } finally {
        if (this.resyncing === state) this.resyncing = undefined;
      }
    })();
    this.resyncing = state;
    return state.done;
  }

  /** Resolves once a resync of `node` in progress (if any) has ended, successfully or not. */
  async resynced(node: ClusterNode): Promise<void> {
    if (this.resyncing?.node === node) await this.resyncing.done.catch(() => undefined);
  }

  /** Writes again what failed during an outage: connections, then the clean-ups of closed ones. */
  async retryPending(node: ClusterNode): Promise<void> {
    await Promise.all(
      [...this.pendingWrites].flatMap((id) => {
        const entry = this.local.get(id);
        return entry ? [this.run(id, () => this.writeEntry(node, entry, true))] : [];
      }),
    );
    for (const [id, rooms] of [...this.pendingRemovals]) {
      await node.batch('remove a closed connection', removeConnectionOperations(id, this.instanceId, rooms));
      this.pendingRemovals.delete(id);
    }
  }

  /**
   * The operations that remove this instance's connections from a storage it leaves: the live ones
   * and the closed ones still waiting for clean-up (which are forgotten here).
   */
  takeCleanup(): BatchOperation[] {
    const cleanup: BatchOperation[] = [];
    for (const entry of this.local.values()) {
      cleanup.push(...removeConnectionOperations(entry.connection.id, this.instanceId, entry.rooms));
    }
    for (const [id, rooms] of this.pendingRemovals) {
      cleanup.push(...removeConnectionOperations(id, this.instanceId, rooms));
    }
    this.pendingRemovals.clear();
    return cleanup;
  }

  private rewriteAll(node: ClusterNode): Promise<unknown> {
    return Promise.all(
      [...this.local.values()].map((entry) =>
        this.run(entry.connection.id, () => this.writeEntry(node, entry, true)),
      ),
    );
  }

  /**
   * A write that failed may still be applied later (an adapter can queue commands while it
   * reconnects), so the connection is rewritten from local state on recovery, and a room whose join
   * failed is removed from storage then.
   */
  private async write(
    node: ClusterNode,
    what: string,
    id: string,
    operations: readonly BatchOperation[],
    joiningRoom?: string,
  ): Promise<void> {
    try {
      await this.batches.write(node, what, operations);
    } catch (error) {
      this.pendingWrites.add(id);
      if (joiningRoom !== undefined) {
        const rooms = this.abandonedRooms.get(id) ?? new Set<string>();
        rooms.add(joiningRoom);
        this.abandonedRooms.set(id, rooms);
      }
      throw error;
    }
  }

  /** Writes a local connection's full state; a failure is kept for a retry (and rethrown when asked). */
  private async writeEntry(node: ClusterNode, entry: LocalEntry, rethrow = false): Promise<void> {
    if (entry.detached) return;
    const id = entry.connection.id;
    const operations = writeConnectionOperations(entry, this.instanceId);
    for (const room of this.abandonedRooms.get(id) ?? []) {
      if (!entry.inRoom(room))
        operations.push({ type: 'setRemove', key: storageKeys.room(room), members: [id] });
    }
    try {
      await this.batches.write(node, 'register a connection', operations);
      this.pendingWrites.delete(id);
      this.abandonedRooms.delete(id);
    } catch (error) {
      this.pendingWrites.add(id);
      if (rethrow || !(error instanceof StorageUnavailableError)) throw error;
      this.logger().warn(
        'Could not write a WebSocket connection to storage; it works locally and is written on recovery',
        { connectionId: id, ...describeError(error) },
      );
    }
  }

  private recordWrite(entry: LocalEntry, rooms?: readonly string[]): BatchOperation {
    return {
      type: 'set',
      key: storageKeys.connection(entry.connection.id),
      value: recordOf(entry, this.instanceId, rooms) as unknown as JsonValue,
    };
  }
}
