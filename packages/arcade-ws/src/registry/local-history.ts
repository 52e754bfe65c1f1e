import { CappedLog } from '@arcade/cache';
import type { EncodedMessage } from '../transport/message';
import type { RoomPosition, StoredHistory } from './room-history';

interface RoomLog {
  readonly log: CappedLog;
  readonly expiry: NodeJS.Timeout;
}

/**
 * Room history in the private in-memory store (no shared storage, so no other instance to agree
 * with): one capped log per room, dropped `ttlMs` after its last message by an unref'd timer, so that
 * rooms nobody writes to any more give their memory back.
 */
export class LocalHistory {
  private readonly rooms = new Map<string, RoomLog>();

  /** Appends the payload as sent (callers never mutate it afterwards); resolves its position. */
  append(room: string, payload: EncodedMessage, size: number, ttlMs: number): RoomPosition {
    let entry = this.rooms.get(room);
    if (entry) {
      entry.expiry.refresh();
    } else {
      const expiry = setTimeout(() => this.rooms.delete(room), ttlMs);
      expiry.unref();
      entry = { log: new CappedLog(), expiry };
      this.rooms.set(room, entry);
    }
    // Bytes are copied in: the emitter may reuse its buffer once the emit returned.
    return entry.log.append(
      typeof payload === 'string' ? payload : new Uint8Array(payload),
      Date.now(),
      size,
    );
  }

  read(room: string, options: { after: RoomPosition | undefined; limit: number }): StoredHistory {
    const read = this.rooms.get(room)?.log.read(options) ?? { position: null, entries: [] };
    return {
      position: read.position,
      entries: read.entries.map(({ offset, message, time }) => ({
        offset,
        payload: typeof message === 'string' ? message : message.slice(),
        time,
      })),
    };
  }

  /** Forgets every room (the store is left or disposed). */
  clear(): void {
    for (const { expiry } of this.rooms.values()) clearTimeout(expiry);
    this.rooms.clear();
  }
}
