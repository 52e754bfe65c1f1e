import type { LogRead, LogReadOptions } from '@arcade/cache';
import { type Deferred, deferred } from '@arcade/test-support';
import { TrackingCache } from './tracking-cache';

/**
 * Where a held read waits: `before` the storage runs it (what is appended meanwhile is in the read), or
 * `after` it ran and before its answer is handed back (what is appended meanwhile is not).
 */
export type HoldPoint = 'before' | 'after';

/** One held `readLog`: await `reached`, do what must happen during the read, then `release()`. */
export interface HeldRead {
  /** Resolves when the read reached its hold point. */
  readonly reached: Promise<void>;
  /** Lets the read go on. */
  release(): void;
  /** Makes the read reject with `error` instead (a storage failing mid-read). */
  fail(error: Error): void;
}

/**
 * A {@link TrackingCache} that can hold the next `readLog` at a chosen point, so a test forces what is
 * otherwise a race: messages appended (on any instance) while a room's history is being read.
 */
export class HoldingCache extends TrackingCache {
  private pending: {
    readonly point: HoldPoint;
    readonly reached: Deferred<void>;
    /** Resolves with the error the read must fail with, or undefined to go on. */
    readonly gate: Deferred<Error | undefined>;
  }[] = [];

  /** Holds the next `readLog` call at `point`. */
  holdNextRead(point: HoldPoint): HeldRead {
    const hold = { point, reached: deferred(), gate: deferred<Error | undefined>() };
    this.pending.push(hold);
    return {
      reached: hold.reached.promise,
      release: () => hold.gate.resolve(undefined),
      fail: (error) => hold.gate.resolve(error),
    };
  }

  override async readLog(key: string, options: LogReadOptions): Promise<LogRead> {
    const hold = this.pending.shift();
    if (!hold) return super.readLog(key, options);
    if (hold.point === 'before') {
      hold.reached.resolve();
      const error = await hold.gate.promise;
      if (error) throw error;
      return super.readLog(key, options);
    }
    const read = await super.readLog(key, options);
    hold.reached.resolve();
    const error = await hold.gate.promise;
    if (error) throw error;
    return read;
  }
}
