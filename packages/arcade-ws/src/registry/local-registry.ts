import type { JsonValue } from '@arcade/cache';
import type { LocalConnection } from '../transport/local-connection';

/** JSON-safe metadata, as stored. */
export type StoredMetadata = { [key: string]: JsonValue };

const NO_ROOMS: readonly string[] = Object.freeze([]);

/** What this instance knows about one of its own connections. */
export interface LocalEntry {
  readonly connection: LocalConnection;
  /** Epoch milliseconds: a number field rather than a Date object per connection. */
  readonly connectTime: number;
  /**
   * Every room the connection joined (kept after detach, so the storage clean-up knows them all).
   * An array replaced on each change rather than a Set: most connections are in a room or two, and a
   * Set with its hash table costs about three times the memory of a one-room array.
   */
  rooms: readonly string[];
  metadata: StoredMetadata;
  /** True once the connection closed: it no longer receives anything. */
  detached: boolean;
}

/**
 * Local connections and local room membership, in memory: `emitToRoom` reads these maps and no
 * storage. `rooms` maps a room to its local members; each entry's `rooms` is the reverse map.
 */
export class LocalRegistry {
  private readonly entries = new Map<string, LocalEntry>();
  private readonly roomMembers = new Map<string, Set<LocalConnection>>();
  /** The ids as last read; dropped on each change, so connecting n sockets costs no O(n) rebuilds. */
  private idsSnapshot: readonly string[] | undefined;

  add(connection: LocalConnection, metadata: StoredMetadata): LocalEntry {
    const entry: LocalEntry = {
      connection,
      connectTime: Date.now(),
      rooms: NO_ROOMS,
      metadata,
      detached: false,
    };
    this.entries.set(connection.id, entry);
    this.idsSnapshot = undefined;
    return entry;
  }

  get(id: string): LocalEntry | undefined {
    return this.entries.get(id);
  }

  get size(): number {
    return this.entries.size;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** The ids as a frozen array, shared by every read until the next change (built on the first read). */
  frozenIds(): readonly string[] {
    this.idsSnapshot ??= Object.freeze(this.ids());
    return this.idsSnapshot;
  }

  values(): IterableIterator<LocalEntry> {
    return this.entries.values();
  }

  /** Local members of `room` (the live set: copy it before awaiting). */
  members(room: string): ReadonlySet<LocalConnection> | undefined {
    return this.roomMembers.get(room);
  }

  /** Local rooms with their member counts. */
  roomSizes(): Array<[room: string, members: number]> {
    return [...this.roomMembers].map(([room, members]) => [room, members.size]);
  }

  addToRoom(entry: LocalEntry, room: string): void {
    if (entry.rooms.includes(room)) return;
    // concat and slice allocate the exact length; a spread or filter leaves room for 16 more.
    entry.rooms = entry.rooms.concat(room);
    if (entry.detached) return;
    let members = this.roomMembers.get(room);
    if (!members) {
      members = new Set();
      this.roomMembers.set(room, members);
    }
    members.add(entry.connection);
  }

  removeFromRoom(entry: LocalEntry, room: string): void {
    const index = entry.rooms.indexOf(room);
    if (index === -1) return;
    entry.rooms =
      entry.rooms.length === 1 ? NO_ROOMS : entry.rooms.slice(0, index).concat(entry.rooms.slice(index + 1));
    this.dropMember(entry, room);
  }

  /** Forgets a closed connection locally; its entry (and rooms) stay with the caller for clean-up. */
  detach(id: string): LocalEntry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.idsSnapshot = undefined;
    for (const room of entry.rooms) this.dropMember(entry, room);
    entry.detached = true;
    return entry;
  }

  private dropMember(entry: LocalEntry, room: string): void {
    const members = this.roomMembers.get(room);
    if (!members) return;
    members.delete(entry.connection);
    if (members.size === 0) this.roomMembers.delete(room);
  }
}
