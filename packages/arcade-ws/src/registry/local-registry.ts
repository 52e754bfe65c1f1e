import type { JsonValue } from '@arcade/cache';
import type { LocalConnection } from '../transport/local-connection';

/** JSON-safe metadata, as stored. */
export type StoredMetadata = { [key: string]: JsonValue };

const NO_ROOMS: readonly string[] = Object.freeze([]);
/** When this module loaded, in epoch milliseconds: connect times are kept relative to it. */
const CLOCK_BASE = Date.now();

/** What this instance knows about one of its own connections. */
export class LocalEntry {
  readonly connection: LocalConnection;
  /**
   * Milliseconds since {@link CLOCK_BASE}: a small integer, which V8 keeps in the object itself (an
   * epoch timestamp is too large for that and costs a 16-byte boxed number per connection). Past
   * about 12 days of uptime the field goes back to boxed numbers, which changes only memory.
   */
  private readonly connectedAt: number;
  metadata: StoredMetadata;
  /** True once the connection closed: it no longer receives anything. */
  detached = false;
  /**
   * The rooms, as compact as they come: most connections are in one room, held as the bare string
   * (an array of one costs 56 bytes more); otherwise an array, replaced on each change. A Set, with
   * its hash table, would cost about three times the array.
   */
  private joined: string | readonly string[] = NO_ROOMS;

  constructor(connection: LocalConnection, metadata: StoredMetadata) {
    this.connection = connection;
    this.connectedAt = Date.now() - CLOCK_BASE;
    this.metadata = metadata;
  }

  /** Epoch milliseconds of the connection. */
  get connectTime(): number {
    return CLOCK_BASE + this.connectedAt;
  }

  /**
   * Every room the connection joined (kept after detach, so the storage clean-up knows them all).
   * A new array on each read of a one-room entry: reads are rare (joins, leaves, info), entries many.
   */
  get rooms(): readonly string[] {
    return typeof this.joined === 'string' ? [this.joined] : this.joined;
  }

  set rooms(rooms: readonly string[]) {
    this.joined = rooms.length === 1 ? (rooms[0] as string) : rooms.length === 0 ? NO_ROOMS : rooms;
  }

  /** Whether the connection joined `room` (without building the array). */
  inRoom(room: string): boolean {
    return typeof this.joined === 'string' ? this.joined === room : this.joined.includes(room);
  }

  /** Adds `room` (not joined yet): a first room is kept as the bare string, with no array built for it. */
  addRoom(room: string): void {
    const joined = this.joined;
    // concat allocates the exact length (a spread leaves room for more).
    this.joined =
      joined === NO_ROOMS ? room : typeof joined === 'string' ? [joined, room] : joined.concat(room);
  }
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
  /**
   * Called after each connection is added or detached. Only the ES module entry sets it (its live
   * values must be reassigned, app/public-api.ts), so CommonJS importers pay one undefined check.
   */
  onChange: (() => void) | undefined;

  add(connection: LocalConnection, metadata: StoredMetadata): LocalEntry {
    const entry = new LocalEntry(connection, metadata);
    this.entries.set(connection.id, entry);
    this.changed();
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
    if (entry.inRoom(room)) return;
    entry.addRoom(room);
    if (entry.detached) return;
    let members = this.roomMembers.get(room);
    if (!members) {
      members = new Set();
      this.roomMembers.set(room, members);
    }
    members.add(entry.connection);
  }

  removeFromRoom(entry: LocalEntry, room: string): void {
    if (!entry.inRoom(room)) return;
    entry.rooms = entry.rooms.filter((joined) => joined !== room);
    this.dropMember(entry, room);
  }

  /** Forgets a closed connection locally; its entry (and rooms) stay with the caller for clean-up. */
  detach(id: string): LocalEntry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    for (const room of entry.rooms) this.dropMember(entry, room);
    entry.detached = true;
    this.changed();
    return entry;
  }

  private changed(): void {
    this.idsSnapshot = undefined;
    this.onChange?.();
  }

  private dropMember(entry: LocalEntry, room: string): void {
    const members = this.roomMembers.get(room);
    if (!members) return;
    members.delete(entry.connection);
    if (members.size === 0) this.roomMembers.delete(room);
  }
}
