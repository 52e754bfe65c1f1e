/** What a key with nothing queued waits for: one promise shared by all of them. */
const SETTLED: Promise<void> = Promise.resolve();

/**
 * Runs tasks one after the other per key (tasks of different keys run concurrently). Every change to
 * one connection goes through its key, so its stored record is never written by two tasks at once.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `task` once every task queued before it under `key` has settled (on a later microtask, never
   * inside this call). Two promises per task: the task's, and the tail the next task waits for, which
   * also forgets the key once nothing is queued behind it.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? SETTLED).then(task);
    const settled = (): void => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
    const tail = result.then(settled, settled);
    this.tails.set(key, tail);
    return result;
  }

  /** Whether a task is queued (or running) under `key`. */
  has(key: string): boolean {
    return this.tails.has(key);
  }

  /** Resolves once every task queued so far has settled. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
