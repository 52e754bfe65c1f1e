import type { CacheManager } from '@arcade/cache';
import type { RoomSummary } from './protocol';

/**
 * The set of rooms that exist, shared by every instance through the cache. A room is created by its
 * first join and disappears once nobody is in it: its last member to leave removes it, and a listing
 * prunes the rooms emptied otherwise (connections closed, instances gone). So the set holds about the
 * rooms that have members, however many rooms a client hops through.
 *
 * Pruning an empty room races with a concurrent first join elsewhere. Both sides act in an order that
 * keeps the room listed: a joiner joins the ws room first and then records the room; a pruner removes
 * the record first and then looks at the members again, putting the record back if anyone is there.
 */
export class RoomDirectory {
  private readonly key: string;

  constructor(
    private readonly cache: CacheManager,
    keyPrefix: string,
    private readonly countMembers: (room: string) => Promise<number>,
  ) {
    this.key = `${keyPrefix}rooms`;
  }

  /** Records `room`; call it after the joining connection is in the room. */
  async add(room: string): Promise<void> {
    await this.cache.setAdd(this.key, room);
  }

  /** Every room with at least one member, busiest first, then by name. Empty rooms are pruned. */
  async list(): Promise<RoomSummary[]> {
    const names = await this.cache.setMembers(this.key);
    const rooms = await Promise.all(
      names.map(async (name) => ({ name, memberCount: await this.countMembers(name) })),
    );
    const empty = rooms.filter((room) => room.memberCount === 0).map((room) => room.name);
    if (empty.length > 0) await this.prune(empty);
    return rooms
      .filter((room) => room.memberCount > 0)
      .sort((a, b) => b.memberCount - a.memberCount || a.name.localeCompare(b.name));
  }

  /** Removes `room` unless someone is in it; call it after the last member known here left. */
  async forgetIfEmpty(room: string): Promise<void> {
    await this.prune([room]);
  }

  private async prune(rooms: string[]): Promise<void> {
    await this.cache.setRemove(this.key, ...rooms);
    const counts = await Promise.all(rooms.map((room) => this.countMembers(room)));
    const refilled = rooms.filter((_, index) => (counts[index] ?? 0) > 0);
    if (refilled.length > 0) await this.cache.setAdd(this.key, ...refilled);
  }
}
