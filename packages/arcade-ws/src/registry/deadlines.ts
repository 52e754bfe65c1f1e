import { performance } from 'node:perf_hooks';

/** Deadlines that fall in the same slice of this many milliseconds share one timer. */
export const DEADLINE_GRANULARITY_MS = 100;

/** A pending deadline; `cancel()` it once the guarded work has settled. */
export interface Deadline {
  cancel(): void;
}

interface Bucket {
  readonly timer: NodeJS.Timeout;
  readonly entries: Set<BucketEntry>;
}

class BucketEntry implements Deadline {
  constructor(
    private readonly buckets: Map<number, Bucket>,
    private readonly slot: number,
    readonly onExpire: () => void,
  ) {}

  cancel(): void {
    const bucket = this.buckets.get(this.slot);
    if (bucket === undefined || !bucket.entries.delete(this)) return;
    // An empty bucket must not keep the process alive (or a test's handles open) until it would fire,
    // but its timer stays for the next deadline of the same slice: against a cache that answers at
    // once, every call emptied its bucket, so each one armed and cleared a timer of its own.
    if (bucket.entries.size === 0) bucket.timer.unref();
  }
}

/**
 * Timeouts for many concurrent calls at the cost of a few timers. Every storage call has a deadline
 * (docs/design.md, guarantee 6: calls that need Redis fail within 5 s); with a timer per call, a cluster publishing ten
 * thousand messages a second armed and cleared ten thousand timers a second. Here a deadline is
 * rounded up to the next {@link DEADLINE_GRANULARITY_MS} slice, and each slice holds one timer, unref'd
 * while no deadline waits on it and dropped when it fires. A deadline fires up to one slice late, never
 * early.
 */
export class DeadlineBuckets {
  private readonly buckets = new Map<number, Bucket>();

  /** Calls `onExpire` once `timeoutMs` have passed, unless the returned deadline is cancelled first. */
  add(timeoutMs: number, onExpire: () => void): Deadline {
    // The monotonic clock: a wall-clock jump must not move a deadline into an earlier slice.
    const now = performance.now();
    const slot = Math.ceil((now + timeoutMs) / DEADLINE_GRANULARITY_MS) * DEADLINE_GRANULARITY_MS;
    let bucket = this.buckets.get(slot);
    if (bucket === undefined) {
      bucket = { timer: setTimeout(() => this.expire(slot), Math.ceil(slot - now)), entries: new Set() };
      this.buckets.set(slot, bucket);
    } else if (bucket.entries.size === 0) {
      bucket.timer.ref();
    }
    const entry = new BucketEntry(this.buckets, slot, onExpire);
    bucket.entries.add(entry);
    return entry;
  }

  private expire(slot: number): void {
    const bucket = this.buckets.get(slot);
    if (bucket === undefined) return;
    this.buckets.delete(slot);
    for (const entry of bucket.entries) entry.onExpire();
  }
}
