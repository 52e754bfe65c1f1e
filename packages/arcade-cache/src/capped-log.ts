import { randomBytes } from 'node:crypto';
import type { LogEntry, LogPosition, LogRead, LogReadOptions, PubSubMessage } from './cache-manager';

/** 48 random bits drawn once per process: what keeps the epochs of different processes apart. */
const processPart = randomBytes(6).toString('base64url');
let epochCounter = 0;

/**
 * A new log epoch, URL-safe and without `:`: this process's random part and a counter, so that a log
 * that starts again never reuses the name of one of its earlier lives, whichever process starts it.
 * Cheap enough to call on every append (the Redis adapter passes one in case the log is missing),
 * unlike drawing random bytes each time.
 */
export function newLogEpoch(): string {
  epochCounter += 1;
  return processPart + epochCounter.toString(36);
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
