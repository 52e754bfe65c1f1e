import { randomBytes } from 'node:crypto';
import type { LogEntry, LogPosition, LogRead, LogReadOptions, PubSubMessage } from './cache-manager';

/**
 * A new log epoch: 72 random bits as 12 URL-safe characters (no `:`), so that a log that starts again
 * never reuses the name of one of its earlier lives.
 */
export function newLogEpoch(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * The log of {@link CacheManager.appendToLog} held in process memory: one epoch, the newest entries
 * and the offset of the newest one. It keeps what it is given (copy bytes before and after) and knows
 * nothing of time-to-live: the in-process adapter and `@arcade/ws`'s private store expire it their way.
 * `read` is the reference for what {@link CacheManager.readLog} selects.
 */
export class CappedLog {
  private entries: LogEntry[] = [];
  private newest = 0;

  constructor(readonly epoch: string = newLogEpoch()) {}

  /** Adds `message` at the next offset, dropping the oldest entries beyond `maxLength`. */
  append(message: PubSubMessage, time: number, maxLength: number): LogPosition {
    this.newest += 1;
    this.entries.push({ offset: this.newest, message, time });
    const excess = this.entries.length - maxLength;
    if (excess > 0) this.entries.splice(0, excess);
    return { epoch: this.epoch, offset: this.newest };
  }

  /** The newest position and the entries selected as {@link LogReadOptions} says, oldest first. */
  read({ after, limit }: LogReadOptions): LogRead {
    if (this.newest === 0) return { position: null, entries: [] };
    let start = Math.max(0, this.entries.length - limit);
    if (after !== undefined && after.epoch === this.epoch && after.offset <= this.newest) {
      // Offsets of kept entries are consecutive, ending at `newest`.
      const oldest = this.newest - this.entries.length + 1;
      start = Math.max(start, after.offset + 1 - oldest);
    }
    return { position: { epoch: this.epoch, offset: this.newest }, entries: this.entries.slice(start) };
  }
}
