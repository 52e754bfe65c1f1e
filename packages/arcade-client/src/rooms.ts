// The rooms the app asked for and the last position seen in each (README, "Rooms and recovery";
// docs/events-protocol.md, "Joining, and recovery without gap or duplicate"). The rules of positions
// live here; sending joins and settling promises is the client's part.
import type { JoinResult, RoomPosition } from '@arcade/ws/protocol';
import type { WebSocketLike } from './socket.js';

/** What `onJoin` listeners learn about each join and rejoin. */
export interface JoinInfo extends JoinResult {
  /** `false` for the first join after `join(room)`, `true` for the ones the client made by itself. */
  readonly rejoin: boolean;
}

/** A `join(room)` call waiting for the room's next join reply. */
export interface JoinWaiter {
  readonly resolve: (result: JoinResult) => void;
  readonly reject: (error: unknown) => void;
}

/** The client's state of one room it wants to be in. */
export interface RoomEntry {
  /** The newest position seen (history frames and join replies); `null` before any. */
  position: RoomPosition | null;
  /** A join of this room succeeded since `join(room)`: the next ones are rejoins. */
  joinedOnce: boolean;
  /** The id of the join in flight or answered on `socket`; `null` when none. */
  joinId: number | null;
  /** The socket the join `joinId` was sent on. */
  socket: WebSocketLike | null;
  /** Whether that join carried `since`. */
  sentSince: boolean;
  /** Whether the server answered that join (the room is joined on `socket`). */
  joined: boolean;
  /** Transient refusals in a row (STORAGE_UNAVAILABLE, RATE_LIMITED): the backoff of the next try. */
  failures: number;
  /** The pending retry of a join refused for a moment. */
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** `join(room)` calls waiting for the next successful join. */
  waiters: JoinWaiter[];
}

/** The newer of two positions of one room: the higher offset of one epoch; of two epochs, the one seen last. */
function newer(current: RoomPosition | null, seen: RoomPosition): RoomPosition {
  if (current === null || current.epoch !== seen.epoch || seen.offset > current.offset) return seen;
  return current;
}

/** The rooms the client wants, each with its state. */
export class Rooms {
  private readonly entries = new Map<string, RoomEntry>();

  get(room: string): RoomEntry | undefined {
    return this.entries.get(room);
  }

  /** Every wanted room, in the order they were asked for. */
  all(): IterableIterator<[string, RoomEntry]> {
    return this.entries.entries();
  }

  /** Adds `room` to the wanted rooms (no position yet). */
  want(room: string): RoomEntry {
    const entry: RoomEntry = {
      position: null,
      joinedOnce: false,
      joinId: null,
      socket: null,
      sentSince: false,
      joined: false,
      failures: 0,
      retryTimer: undefined,
      waiters: [],
    };
    this.entries.set(room, entry);
    return entry;
  }

  /** Forgets `room` and its position (a `leave`, or a join the server refused for good). */
  drop(room: string): RoomEntry | undefined {
    const entry = this.entries.get(room);
    if (entry) {
      clearTimeout(entry.retryTimer);
      this.entries.delete(room);
    }
    return entry;
  }

  /** Wants `room` again with the state `drop` returned (a leave the server refused for good). */
  restore(room: string, entry: RoomEntry): void {
    this.entries.set(room, entry);
  }

  /** A history frame of `room` arrived: its position becomes the room's if newer. Unwanted rooms are ignored. */
  seen(room: string, position: RoomPosition): void {
    const entry = this.entries.get(room);
    if (entry) entry.position = newer(entry.position, position);
  }

  /**
   * Applies a join reply to the room's state and says what the app is told.
   *
   * - `recovered: false` drops the old position for the reply's: a stale position is never sent again.
   * - A rejoin without `since` (the room had no position: its history was empty as far as the client
   *   saw) cannot have recovered anything; the server still says `true` for a join without `since`.
   *   If the room now has a history, messages were kept while the client was away and it did not get
   *   them: the app is told `recovered: false`. If it still has none, nothing kept was missed.
   */
  applyJoin(entry: RoomEntry, reply: JoinResult): JoinInfo {
    const rejoin = entry.joinedOnce;
    const recovered = reply.recovered && !(rejoin && !entry.sentSince && reply.position !== null);
    if (!recovered) entry.position = reply.position;
    else if (reply.position !== null) entry.position = newer(entry.position, reply.position);
    entry.joinedOnce = true;
    entry.joined = true;
    entry.failures = 0;
    return { recovered, position: entry.position, rejoin };
  }

  /** The connection ended: no room is joined any more (they stay wanted, with their positions). */
  disconnected(): void {
    for (const entry of this.entries.values()) {
      clearTimeout(entry.retryTimer);
      entry.retryTimer = undefined;
      entry.joinId = null;
      entry.socket = null;
      entry.joined = false;
    }
  }

  /** A snapshot: room -> last position seen. */
  view(): ReadonlyMap<string, RoomPosition | null> {
    const view = new Map<string, RoomPosition | null>();
    for (const [room, entry] of this.entries) view.set(room, entry.position);
    return view;
  }

  /** Forgets every room; returns the entries (their waiters are the caller's to settle). */
  clear(): RoomEntry[] {
    const entries = [...this.entries.values()];
    for (const entry of entries) clearTimeout(entry.retryTimer);
    this.entries.clear();
    return entries;
  }
}

/** Reads a join reply's `data`; `undefined` when it is not `{ recovered, position }`. */
export function readJoinResult(data: unknown): JoinResult | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { recovered, position } = data as { recovered?: unknown; position?: unknown };
  if (typeof recovered !== 'boolean') return undefined;
  if (position === null) return { recovered, position };
  if (typeof position !== 'object' || position === undefined) return undefined;
  const { epoch, offset } = position as { epoch?: unknown; offset?: unknown };
  if (
    typeof epoch !== 'string' ||
    typeof offset !== 'number' ||
    !Number.isSafeInteger(offset) ||
    offset < 0
  ) {
    return undefined;
  }
  return { recovered, position: { epoch, offset } };
}
