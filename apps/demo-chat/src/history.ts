import type { CacheManager } from '@arcade/cache';
import type { ChatLine } from './protocol';

/** How many messages of a room are kept. */
export const HISTORY_LENGTH = 50;

// Trimming needs a full read of the set, so it runs only once the set has grown this far past the
// limit; readers always return at most HISTORY_LENGTH lines.
const TRIM_SLACK = 10;

/**
 * The last messages of every room, kept in the same CacheManager as the WebSocket registry, so that
 * a user who joins on another instance sees them.
 *
 * Each room's history is a set of JSON lines rather than one JSON array: the cache contract has
 * atomic set additions but no compare-and-set, and a read-modify-write array would lose lines when
 * two instances append at once. Lines carry their server timestamp and a per-process sequence, and
 * readers sort by them. Trimming removes only lines that have at least HISTORY_LENGTH newer lines
 * in the snapshot it read, so concurrent trims never drop one of the newest lines.
 */
export class RoomHistory {
  constructor(
    private readonly cache: CacheManager,
    private readonly keyPrefix: string,
  ) {}

  private key(room: string): string {
    return `${this.keyPrefix}history:${room}`;
  }

  /** Appends one line to its room's history. */
  async append(line: ChatLine): Promise<void> {
    const key = this.key(line.room);
    await this.cache.setAdd(key, JSON.stringify(line));
    if ((await this.cache.setSize(key)) > HISTORY_LENGTH + TRIM_SLACK) {
      const lines = await this.readAll(key);
      const stale = lines.slice(0, lines.length - HISTORY_LENGTH).map((entry) => entry.raw);
      if (stale.length > 0) await this.cache.setRemove(key, ...stale);
    }
  }

  /** The last {@link HISTORY_LENGTH} lines of `room`, oldest first. */
  async recent(room: string): Promise<ChatLine[]> {
    const lines = await this.readAll(this.key(room));
    return lines.slice(-HISTORY_LENGTH).map((entry) => entry.line);
  }

  private async readAll(key: string): Promise<{ raw: string; line: ChatLine }[]> {
    const members = await this.cache.setMembers(key);
    const lines: { raw: string; line: ChatLine }[] = [];
    for (const raw of members) {
      try {
        lines.push({ raw, line: JSON.parse(raw) as ChatLine });
      } catch {
        // A line this app did not write: skip it rather than fail the whole room.
      }
    }
    return lines.sort((a, b) => compareLines(a.line, b.line));
  }
}

/** Orders lines by server time, then by id (ids start with a zero-padded per-process sequence). */
function compareLines(a: ChatLine, b: ChatLine): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
