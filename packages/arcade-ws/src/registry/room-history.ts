import type { RoomPosition } from '../protocol/frames';
import type { EncodedMessage } from '../transport/message';

export type { RoomPosition };

// Room history as users see it (docs/design.md, "Room history"): the types, the checks of
// getRoomHistory's options, and the one rule that decides whether a read recovered what a client
// missed. Where the messages are kept is not decided here: the shared storage's log (cluster-node.ts)
// or the private store's (local-history.ts).

/** One message of a room's history, exactly as emitted. */
export interface RoomHistoryMessage {
  readonly offset: number;
  /** A text frame's string (even when it looks like JSON) or a binary frame's bytes. */
  readonly message: string | Uint8Array;
  /** When the storage kept it. */
  readonly time: Date;
}

/** What `getRoomHistory` answers. */
export interface RoomHistory {
  /** Oldest first. */
  readonly messages: RoomHistoryMessage[];
  /** The room's newest position; `null` for a room with no history. */
  readonly position: RoomPosition | null;
  /**
   * Without `since`, always `true`. With `since`: `true` only when `messages` are exactly every message
   * after it; otherwise `false`, and `messages` are the newest ones (never a partial set as recovered).
   */
  readonly recovered: boolean;
}

/** Options of `getRoomHistory`. */
export interface RoomHistoryOptions {
  /** The last position the reader has: ask for every message after it. */
  since?: RoomPosition;
  /** At most this many messages (0 or more); defaults to, and is capped at, `webSocket.history.size`. */
  limit?: number;
}

/** A history entry as the storage gives it back: the emitted payload, unwrapped. */
export interface StoredHistoryEntry {
  readonly offset: number;
  readonly payload: EncodedMessage;
  readonly time: number;
}

/** What a storage read of a room's history found. */
export interface StoredHistory {
  readonly position: RoomPosition | null;
  readonly entries: readonly StoredHistoryEntry[];
}

/** `getRoomHistory`'s options checked, with `limit` defaulted and capped to `size`. */
export function historyQuery(
  options: RoomHistoryOptions,
  size: number,
): { since: RoomPosition | undefined; limit: number } {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('getRoomHistory(room, options): options must be an object { since?, limit? }');
  }
  const { since, limit = size } = options;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`getRoomHistory: limit must be an integer, 0 or more, got ${String(limit)}`);
  }
  if (since !== undefined && !isPosition(since)) {
    throw new TypeError(
      'getRoomHistory: since must be a position { epoch: string, offset: integer >= 0 } as emitToRoom resolved it or history answered',
    );
  }
  return { since: since && { epoch: since.epoch, offset: since.offset }, limit: Math.min(limit, size) };
}

function isPosition(value: unknown): value is RoomPosition {
  if (typeof value !== 'object' || value === null) return false;
  const { epoch, offset } = value as Record<string, unknown>;
  return typeof epoch === 'string' && epoch !== '' && Number.isSafeInteger(offset) && (offset as number) >= 0;
}

/**
 * The answer to `getRoomHistory` from what the storage read: recovered only when the read holds every
 * message after `since` (same epoch, nothing trimmed, no more than `limit`).
 */
export function roomHistory(
  read: StoredHistory,
  since: RoomPosition | undefined,
  limit: number,
): RoomHistory {
  const messages = read.entries.map(({ offset, payload, time }) => ({
    offset,
    message: payload,
    time: new Date(time),
  }));
  return {
    messages,
    position: read.position,
    recovered: since === undefined || holdsAllAfter(read, since, limit),
  };
}

function holdsAllAfter({ position, entries }: StoredHistory, since: RoomPosition, limit: number): boolean {
  if (position === null || position.epoch !== since.epoch || since.offset > position.offset) return false;
  const missed = position.offset - since.offset;
  return missed <= limit && entries.length === missed;
}
