import type { BatchOperation, CacheManager } from '@arcade/cache';
import type { Logger } from '@arcade/core';
import { ChatConfigError } from './chat-config-error';
import type { RoomSummary } from './chat-events';

/** Options of {@link RoomDirectory}. */
export interface RoomDirectoryOptions {
  /**
   * How long an instance's entry counts after it was written; each instance rewrites its own every
   * third of it, so the rooms of an instance that died without closing leave listings within this
   * time. Instances' clocks may differ by up to two thirds of it. @default 30000
   */
  leaseMs?: number;
  /** The clock of the entries' write times. @default Date.now */
  now?: () => number;
}

/** Default {@link RoomDirectoryOptions.leaseMs}. */
export const ROOM_DIRECTORY_LEASE_MS = 30_000;

/** One instance's entry: its id, when it was written, and its rooms with their local member counts. */
interface InstanceEntry {
  readonly instance: string;
  readonly at: number;
  readonly rooms: ReadonlyArray<readonly [string, number]>;
}

function parseEntry(member: string): InstanceEntry | undefined {
  try {
    const value = JSON.parse(member) as Partial<InstanceEntry>;
    if (typeof value.instance !== 'string' || typeof value.at !== 'number' || !Array.isArray(value.rooms)) {
      return undefined;
    }
    const rooms = value.rooms.filter(
      (room): room is [string, number] =>
        Array.isArray(room) && typeof room[0] === 'string' && Number.isInteger(room[1]) && room[1] > 0,
    );
    return { instance: value.instance, at: value.at, rooms };
  } catch {
    return undefined;
  }
}

/**
 * The rooms that have members, with their member counts, cluster-wide, listed in one storage round
 * trip however many rooms and instances there are.
 *
 * Each instance counts the members of its own connections (exact, in memory) and keeps one entry in a
 * single shared set: `{ instance, at, rooms: [[room, count]...] }` as JSON. A listing is one
 * `setMembers` of that set, summed per room. An instance replaces its entry (remove the old member,
 * add the new one, one atomic batch) after each change of its counts, before the join or leave that
 * caused it is answered, so a listing made after that answer, on any instance, counts it. Writes of
 * one instance run one at a time and coalesce: changes made while a write is under way go out
 * together in the next one.
 *
 * An instance that dies without closing leaves its entry behind: every instance rewrites its own
 * every `leaseMs / 3` with a fresh `at`, and listings ignore and remove entries older than `leaseMs`.
 * The entries are rewritten as soon as the storage is back after an outage (a restarted Redis is empty).
 */
export class RoomDirectory {
  private readonly key: string;
  private readonly leaseMs: number;
  private readonly now: () => number;
  /** Members of this instance's connections, per room; rooms with none are not kept. */
  private readonly counts = new Map<string, number>();
  /** Entries of this instance that may be in the set (a failed write may or may not have landed). */
  private written = new Set<string>();
  /** A write that has not started yet: later changes join it instead of queuing another. */
  private queued: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopWatchingStatus: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly cache: CacheManager,
    keyPrefix: string,
    private readonly instanceId: () => string,
    private readonly logger: () => Logger,
    options: RoomDirectoryOptions = {},
  ) {
    this.key = `${keyPrefix}room-directory`;
    this.leaseMs = options.leaseMs ?? ROOM_DIRECTORY_LEASE_MS;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.leaseMs) || this.leaseMs < 3) {
      throw new ChatConfigError(
        `roomDirectory.leaseMs must be an integer of at least 3 (milliseconds), got ${String(this.leaseMs)}.`,
      );
    }
  }

  /** Starts rewriting this instance's entry every `leaseMs / 3` and after each storage outage. */
  start(): void {
    if (this.closed || this.refreshTimer) return;
    this.refreshTimer = setInterval(() => this.refresh('refresh'), Math.floor(this.leaseMs / 3));
    this.refreshTimer.unref();
    this.stopWatchingStatus = this.cache.onStatusChange((status) => {
      if (status === 'ready') this.refresh('storage back');
    });
  }

  /** Counts one more member of `room` here; resolves once every instance's listing counts it. */
  entered(room: string): Promise<void> {
    this.counts.set(room, (this.counts.get(room) ?? 0) + 1);
    return this.publish();
  }

  /** Counts one member fewer of `room` here; resolves once every instance's listing counts that. */
  left(room: string): Promise<void> {
    const remaining = (this.counts.get(room) ?? 0) - 1;
    if (remaining > 0) this.counts.set(room, remaining);
    else this.counts.delete(room);
    return this.publish();
  }

  /** Every room with at least one member, busiest first, then by name: one storage read. */
  async list(): Promise<RoomSummary[]> {
    const members = await this.cache.setMembers(this.key);
    const oldest = this.now() - this.leaseMs;
    const totals = new Map<string, number>();
    const expired: string[] = [];
    for (const member of members) {
      const entry = parseEntry(member);
      if (entry === undefined || entry.at < oldest) {
        expired.push(member);
        continue;
      }
      for (const [room, count] of entry.rooms) totals.set(room, (totals.get(room) ?? 0) + count);
    }
    if (expired.length > 0) {
      // Only after an instance died (or something unreadable was written): one more round trip, once.
      await this.cache.setRemove(this.key, ...expired).catch((error: unknown) => {
        this.logger().debug('expired room directory entries not removed', { error: String(error) });
      });
    }
    return [...totals]
      .map(([name, memberCount]) => ({ name, memberCount }))
      .sort((a, b) => b.memberCount - a.memberCount || a.name.localeCompare(b.name));
  }

  /** Stops the refreshes and removes this instance's entry. Idempotent; later changes are not written. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.refreshTimer);
    this.stopWatchingStatus?.();
    await this.tail;
    if (this.written.size > 0) await this.cache.setRemove(this.key, ...this.written);
    this.written.clear();
  }

  private refresh(reason: string): void {
    this.publish().catch((error: unknown) => {
      this.logger().debug('room directory entry not rewritten', { reason, error: String(error) });
    });
  }

  private publish(): Promise<void> {
    if (this.queued) return this.queued;
    const write = this.tail.then(() => {
      this.queued = undefined;
      return this.write();
    });
    this.queued = write;
    this.tail = write.catch(() => undefined);
    return write;
  }

  private async write(): Promise<void> {
    if (this.closed) return;
    const rooms = [...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const entry =
      rooms.length > 0
        ? JSON.stringify({ instance: this.instanceId(), at: this.now(), rooms } satisfies InstanceEntry)
        : undefined;
    const operations: BatchOperation[] = [];
    if (this.written.size > 0)
      operations.push({ type: 'setRemove', key: this.key, members: [...this.written] });
    if (entry !== undefined) operations.push({ type: 'setAdd', key: this.key, members: [entry] });
    if (operations.length === 0) return;
    if (entry !== undefined) this.written.add(entry);
    await this.cache.batch(operations);
    this.written = new Set(entry === undefined ? [] : [entry]);
  }
}
