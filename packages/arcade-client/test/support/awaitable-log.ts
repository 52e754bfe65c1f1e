// A list of things that happened (frames, statuses, errors), kept in order from the first one, that a
// test can also await: `next` takes the first unconsumed entry that matches, waiting for it within a
// bound, so a test never sleeps and never misses an entry that came before it asked.

const defaultWaitMs = 10_000;

interface Waiter<T> {
  readonly match: (entry: T) => boolean;
  readonly resolve: (entry: T) => void;
}

export class AwaitableLog<T> {
  /** Every entry, consumed or not, oldest first. */
  readonly all: T[] = [];
  private readonly unconsumed: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  constructor(private readonly describe: (entry: T) => string = (entry) => JSON.stringify(entry)) {}

  push(entry: T): void {
    this.all.push(entry);
    for (const waiter of this.waiters) {
      if (waiter.match(entry)) {
        this.waiters.delete(waiter);
        waiter.resolve(entry);
        return;
      }
    }
    this.unconsumed.push(entry);
  }

  /** The first unconsumed entry that matches (consumed), waiting for it up to `timeoutMs`. */
  next(match: (entry: T) => boolean = () => true, what = 'an entry', timeoutMs = defaultWaitMs): Promise<T> {
    const index = this.unconsumed.findIndex(match);
    if (index >= 0) return Promise.resolve(this.unconsumed.splice(index, 1)[0] as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.all.map(this.describe).join('\n  ');
        reject(new Error(`no ${what} within ${timeoutMs} ms; seen so far:\n  ${seen}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        match,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** The unconsumed entries, without consuming them. */
  get pending(): readonly T[] {
    return this.unconsumed;
  }
}
